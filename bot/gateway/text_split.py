"""Splitting a long bot message into parts a channel accepts, never inside a link.

Telegram (4,096) and SMS (1,600) both count UTF-16 code units; a URL holds no
whitespace, so cutting only at whitespace keeps every link whole.
"""

from __future__ import annotations


def utf16_length(text: str) -> int:
    """UTF-16 code units, as Telegram and Twilio count (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
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
    while utf16_length(rest) > limit:
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
