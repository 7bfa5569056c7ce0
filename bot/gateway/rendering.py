"""From Rasa's messages to what each channel shows.

Rasa's REST channel answers a list of messages (``{"recipient_id", "text", "buttons":
[{"title", "payload"}], ...}``). :func:`from_rasa` turns them into channel-neutral
:class:`BotReply` objects whose buttons already carry opaque ids (the real payloads
stay in the :class:`~bot.gateway.buttons.ButtonStore`); one small function per
channel turns a :class:`BotReply` into that channel's message (:func:`to_web` here;
Telegram inline keyboards and numbered SMS options build on the same model).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.gateway.buttons import ButtonStore
from bot.side_effects import ONE_TIME_INTENTS

log = logging.getLogger(__name__)

# Buttons whose payload has a side effect get one-time ids: a second click (or a replayed
# id) is plain text for Rasa, never the payload again (bot.side_effects).


def payload_intent(payload: str) -> str | None:
    """The intent of a ``/intent{...}`` payload, or None for a payload that is not one.

    >>> payload_intent('/repair_reconnect{"account_id":"ue-main"}')
    'repair_reconnect'
    """
    if not payload.startswith("/"):
        return None
    return payload[1:].split("{", 1)[0].strip() or None


def is_one_time(payload: str) -> bool:
    """Whether a button with this payload has a side effect (its id is used once)."""
    return payload_intent(payload) in ONE_TIME_INTENTS


@dataclass(frozen=True)
class Button:
    """A choice offered to the user: what it says and the opaque id it sends back."""

    title: str
    button_id: str
    one_time: bool = False  # a side effect: its id is used once (by SMS, a code to type)


@dataclass(frozen=True)
class BotReply:
    """One bot message, independent of any channel."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


async def from_rasa(
    messages: Iterable[Any], conversation_id: str, registry: ButtonStore | None
) -> list[BotReply]:
    """Channel-neutral replies for Rasa's messages, issuing an opaque id per button.

    Only text and buttons are rendered; images, attachments and custom payloads are
    skipped (logged at debug level), as are buttons without a payload (URL buttons).
    Buttons whose intent is in :data:`ONE_TIME_INTENTS` get one-time ids.

    Args:
        messages: the JSON list Rasa's REST webhook answered.
        conversation_id: the conversation the ids are issued for.
        registry: where the real payloads are kept; None: the buttons are left out.

    Raises:
        SharedStateUnavailable: the registry is in Redis and Redis is unreachable.
    """
    replies: list[BotReply] = []
    for message in messages:
        if not isinstance(message, dict):
            log.debug("skipping a Rasa message that is not an object")
            continue
        text = message.get("text")
        text = text if isinstance(text, str) else ""
        buttons: tuple[Button, ...] = ()
        if registry is not None:
            buttons = tuple(await _buttons(message.get("buttons"), conversation_id, registry))
        if not text and not buttons:
            log.debug("skipping a Rasa message without text: %s", sorted(message))
            continue
        replies.append(BotReply(text=text, buttons=buttons))
    return replies


async def _buttons(raw: Any, conversation_id: str, registry: ButtonStore) -> list[Button]:
    buttons: list[Button] = []
    if not isinstance(raw, list):
        return buttons
    for button in raw:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(payload, str) or not payload:
            continue
        title = title if isinstance(title, str) and title else payload
        one_time = is_one_time(payload)
        button_id = await registry.issue(conversation_id, payload, one_time=one_time)
        buttons.append(Button(title=title, button_id=button_id, one_time=one_time))
    return buttons


def to_web(reply: BotReply) -> dict[str, Any]:
    """The ``bot_uttered`` payload of Rasa's socket.io channel for one reply.

    ``{"text": ...}``, plus ``"quick_replies": [{"content_type": "text", "title",
    "payload": <opaque id>}]`` when the reply offers choices.
    """
    payload: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        payload["quick_replies"] = [
            {"content_type": "text", "title": b.title, "payload": b.button_id}
            for b in reply.buttons
        ]
    return payload
