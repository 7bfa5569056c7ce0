"""What a user's message turns into before it reaches Rasa.

Only two things can reach Rasa from a user:

* the real payload of a button the gateway issued **for that conversation**, when the
  user sends its opaque id back (see :mod:`bot.gateway.buttons`);
* plain text. Rasa parses a message that starts with ``/`` as an intent with entities
  at confidence 1.0 (``/cancel_order{"order_id": "X"}``) and strips whitespace first, so
  leading whitespace and slashes are removed — however they are interleaved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.gateway.buttons import ButtonStore, looks_like_button_id

MAX_MESSAGE_CHARS = 2_000

_LEADING_SLASHES = re.compile(r"^[\s/]+")
# Control characters other than tab and newline never belong in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(text: str) -> str | None:
    """Plain text Rasa cannot read as an intent, or None when nothing is left.

    Strips control characters, leading whitespace and ``/`` characters and trailing
    whitespace, and caps the length at :data:`MAX_MESSAGE_CHARS`.

    >>> neutralise('/cancel_order{"order_id": "DD-1001"}')
    'cancel_order{"order_id": "DD-1001"}'
    >>> neutralise("  / /status ")
    'status'
    >>> neutralise(" // ") is None
    True
    """
    cleaned = _CONTROL.sub("", text)
    cleaned = _LEADING_SLASHES.sub("", cleaned)[:MAX_MESSAGE_CHARS].rstrip()
    return cleaned or None


@dataclass(frozen=True)
class UserMessage:
    """What a user sent, ready for Rasa: a button's real payload or neutralised text."""

    text: str
    from_button: bool
    used_up: bool = False  # a one-time button pressed again: nothing to send to Rasa


async def read_user_message(
    conversation_id: str, text: object, buttons: ButtonStore
) -> UserMessage | None:
    """Resolve a button id or neutralise typed text; None when nothing is left to send.

    A one-time button id is used up by this call.

    Args:
        conversation_id: the conversation the message belongs to (as the gateway named it).
        text: what the channel delivered; anything but a string is ignored.
        buttons: the registry of ids issued to this gateway's conversations.

    Raises:
        SharedStateUnavailable: the registry is in Redis and Redis is unreachable.
    """
    if not isinstance(text, str):
        return None
    button_id = text.strip()
    if looks_like_button_id(button_id):
        payload = await buttons.resolve(conversation_id, button_id)
        if payload is not None:
            return UserMessage(payload, from_button=True)
        if await buttons.used_up(conversation_id, button_id):
            return UserMessage("", from_button=True, used_up=True)
    cleaned = neutralise(text)
    return UserMessage(cleaned, from_button=False) if cleaned is not None else None


async def to_rasa_message(conversation_id: str, text: object, buttons: ButtonStore) -> str | None:
    """The message Rasa should receive for what the user sent, or None to ignore it.

    Args:
        conversation_id: the conversation the message belongs to (as the gateway named it).
        text: what the channel delivered; anything but a string is ignored.
        buttons: the registry of ids issued to this gateway's conversations.

    Returns:
        The real payload when ``text`` is an id issued for this conversation, the
        neutralised text otherwise, None when nothing is left to send.
    """
    message = await read_user_message(conversation_id, text, buttons)
    return message.text if message is not None and not message.used_up else None
