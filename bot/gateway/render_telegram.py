"""From a channel-neutral :class:`BotReply` to Telegram messages.

A reply becomes one or more plain-text messages (no parse mode, so nothing Rasa says
is ever read as markup; Telegram links URLs by itself). Its buttons become an inline
keyboard on the last message: one button per row, or two per row when both titles are
short. Each button's ``callback_data`` is the gateway's opaque button id, never a
payload (Telegram allows 1–64 bytes there; our ids are 12).

Telegram refuses a message longer than 4,096 characters (counted in UTF-16 code
units), so longer text is split — between paragraphs if it can, else between lines,
else between words — and never inside a link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.gateway.rendering import BotReply, Button
from bot.gateway.text_split import split_text, utf16_length

log = logging.getLogger(__name__)

MAX_TEXT_UNITS = 4096
"""Telegram's limit on a message's text, in UTF-16 code units."""
MAX_CALLBACK_DATA_BYTES = 64
SHORT_TITLE_CHARS = 14
"""Two buttons share a row when both titles are at most this long."""
EMPTY_TEXT = "\u2193"
"""What a message that has buttons but no text says (Telegram needs some text)."""


@dataclass(frozen=True)
class TelegramMessage:
    """One ``sendMessage``: its text and, on the last part of a reply, the keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def to_telegram(reply: BotReply) -> list[TelegramMessage]:
    """The Telegram messages that show ``reply``, in order.

    Args:
        reply: one bot message (its buttons already carry opaque ids).

    Returns:
        At least one message; the keyboard (if any) rides on the last one.
    """
    keyboard = inline_keyboard(reply.buttons)
    text = reply.text.strip() or (EMPTY_TEXT if keyboard is not None else "")
    if not text:
        return []
    parts = split_text(text, MAX_TEXT_UNITS)
    messages = [TelegramMessage(part) for part in parts[:-1]]
    messages.append(TelegramMessage(parts[-1], keyboard))
    return messages


def inline_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for ``buttons``, or None when there are none.

    A button whose id would not fit in ``callback_data`` is left out (logged): it could
    never be sent back.
    """
    usable = [b for b in buttons if _fits(b.button_id)]
    if len(usable) < len(buttons):
        log.warning("left out %d button(s) with an over-long id", len(buttons) - len(usable))
    if not usable:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    index = 0
    while index < len(usable):
        pair = usable[index : index + 2]
        if len(pair) == 2 and all(len(b.title) <= SHORT_TITLE_CHARS for b in pair):
            rows.append([_key(b) for b in pair])
            index += 2
        else:
            rows.append([_key(usable[index])])
            index += 1
    return InlineKeyboardMarkup(rows)


def _key(button: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=button.title, callback_data=button.button_id)


def _fits(button_id: str) -> bool:
    return 0 < len(button_id.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES


def telegram_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return utf16_length(text)
