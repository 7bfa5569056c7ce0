"""What an action knows about the current turn: who is asking, in which language, and what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from actions.language import choose_language
from bot.platform_client import (
    PlatformClient,
    PlatformError,
    PlatformUnauthorized,
    PlatformUnavailable,
)

NAMED_ENTITIES = ("provider", "location")
LANGUAGE_SLOT = "conversation_language"
IDENTITY_ENTITY = "identity"  # where the gateway puts the identity of an external message


@dataclass(frozen=True)
class Turn:
    """The latest user message and the profile of the person who sent it.

    ``profile`` is ``None`` when the sender could not be identified (no identity, or one
    the platform refused) or when the platform could not answer (``reachable`` false).
    ``external`` marks a message the gateway triggered (the pairing page finished):
    its ``text`` is empty and its entities hold no identity.
    """

    token: str | None
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    reachable: bool = True
    lang: str = "en"
    external: bool = False

    @property
    def identified(self) -> bool:
        """Whether the platform vouched for the sender."""
        return self.profile is not None

    def entity(self, name: str) -> str | None:
        """The first value of entity ``name`` in the message, if any."""
        for entity in self.entities:
            if entity.get("entity") == name and entity.get("value"):
                return str(entity["value"])
        return None

    @property
    def channel(self) -> str:
        """The channel the message came through, as the platform read the identity."""
        return str(((self.profile or {}).get("message") or {}).get("channel") or "")

    @property
    def confirmed(self) -> bool:
        """Whether the message is a side-effect button the gateway issued (a code by SMS)."""
        return ((self.profile or {}).get("message") or {}).get("confirmed") is True

    @property
    def first_name(self) -> str:
        """The sender's first name, or an empty string."""
        profile = self.profile or {}
        name = str(profile.get("name") or "").strip()
        return name.split()[0] if name else ""


def is_external(message: dict[str, Any]) -> bool:
    """Whether ``message`` came through Rasa's trigger-intent API, not from the user."""
    return bool((message.get("metadata") or {}).get("is_external"))


def identity_token(tracker: Tracker) -> str | None:
    """The signed identity the gateway attached to the latest message.

    A user message carries it in ``metadata.identity``; an external message (Rasa's
    trigger-intent API, ``metadata.is_external``) carries it as the entity ``identity``.
    The token is passed on to the platform, never rendered or logged.
    """
    message = tracker.latest_message or {}
    token = (message.get("metadata") or {}).get("identity")
    if not token and is_external(message):
        for entity in message.get("entities") or []:
            if entity.get("entity") == IDENTITY_ENTITY and entity.get("value"):
                token = entity["value"]
                break
    return str(token) if token else None


def last_user_text(tracker: Tracker) -> str:
    """The text of the user's latest own message (external messages skipped), if any."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and not is_external(event):
            text = str(event.get("text") or "")
            if not text.startswith("/"):
                return text
    return ""


def _named_parts(text: str, entities: list[dict[str, Any]]) -> list[str]:
    """Provider and location names in the message: values and the text they span."""
    parts: list[str] = []
    for entity in entities:
        if entity.get("entity") in NAMED_ENTITIES:
            parts.append(str(entity.get("value") or ""))
            if "start" in entity and "end" in entity:
                parts.append(text[entity["start"] : entity["end"]])
    return parts


async def read_turn(client: PlatformClient, tracker: Tracker) -> Turn:
    """Ask the platform who is talking and pick the reply language.

    An external message and a button's payload (``/intent{...}``) have no words of their
    own: their language is the one of the user's previous typed message in this session;
    when that (or a typed message) is too short to tell, the conversation's language so
    far (slot ``conversation_language``), else the profile's — so a merchant writing in
    French who presses a button, or answers "ok", stays in French.
    """
    message = tracker.latest_message or {}
    external = is_external(message)
    text = "" if external else str(message.get("text") or "")
    entities = [
        entity
        for entity in message.get("entities") or []
        if entity.get("entity") != IDENTITY_ENTITY
    ]
    token = identity_token(tracker)
    profile: dict[str, Any] | None = None
    reachable = True
    if token:
        try:
            profile = await client.me(token)
        except PlatformUnauthorized:
            profile = None
        except (PlatformUnavailable, PlatformError):
            reachable = False  # unreachable or failing: nothing can be looked up
    # Too short to tell, or no words of its own: the conversation's language so far.
    fallback = tracker.get_slot(LANGUAGE_SLOT) or (profile or {}).get("language")
    said = last_user_text(tracker) if external or text.startswith("/") else text
    lang = choose_language(said, fallback, ignore=_named_parts(said, entities))
    return Turn(token, text, entities, profile, reachable, lang, external)
