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
    parts = split_text(text)
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
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` UTF-16 units, never inside a link.

    Cuts at the last paragraph break that fits, else the last line break, else the last
    space. A URL holds no whitespace, so it always lands whole in one part; only a
    single word (or URL) longer than ``limit`` is cut where the limit falls.

    Args:
        text: the message text.
        limit: the maximum length of a part, in UTF-16 code units.

    Returns:
        The non-empty parts, in order (just ``text`` when it fits).
    """
    parts: list[str] = []
    rest = text
    while telegram_length(rest) > limit:
        cut = _cut_point(rest, _chars_within(rest, limit))
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            parts.append(head)
    if rest.strip():
        parts.append(rest)
    return parts


def _chars_within(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut_point(text: str, within: int) -> int:
    """Where to cut ``text`` so the head has at most ``within`` characters: at the last
    paragraph break, else line break, in the second half of the head; else at the last
    space; else at ``within``."""
    for separator, earliest in (("\n\n", within // 2), ("\n", within // 2), (" ", 1)):
        position = text.rfind(separator, 0, within + 1)
        if position >= earliest and position > 0:
            return position
    return max(within, 1)
