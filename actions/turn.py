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


@dataclass(frozen=True)
class Turn:
    """The latest user message and the profile of the person who sent it.

    ``profile`` is ``None`` when the sender could not be identified (no identity, or one
    the platform refused) or when the platform could not answer (``reachable`` false).
    """

    token: str | None
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    reachable: bool = True
    lang: str = "en"

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
    def first_name(self) -> str:
        """The sender's first name, or an empty string."""
        profile = self.profile or {}
        name = str(profile.get("name") or "").strip()
        return name.split()[0] if name else ""


def identity_token(tracker: Tracker) -> str | None:
    """The signed identity the gateway put in the latest message's metadata."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get("identity")
    return str(token) if token else None


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
    """Ask the platform who is talking and pick the reply language."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    entities = list(message.get("entities") or [])
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
    profile_language = (profile or {}).get("language")
    lang = choose_language(text, profile_language, ignore=_named_parts(text, entities))
    return Turn(token, text, entities, profile, reachable, lang)
