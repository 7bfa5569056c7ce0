"""Spotting a 2FA/MFA code in what a user typed, so it can skip Rasa.

A code is a run of 4 to 8 ASCII digits, with single spaces or dashes allowed between
digits (``246810``, ``246 810``, ``24-68-10``), standing on its own: not glued to
letters, other digits or dashes (so ``DD-1001``, ``A1234`` and a 10-digit phone number
are not codes). The gateway asks the platform whether the conversation is waiting for
one; only then is the text taken (see :mod:`bot.gateway.relay`).

Nothing in this module logs: a code must never appear in a log line.
"""

from __future__ import annotations

import re

MIN_DIGITS = 4
MAX_DIGITS = 8

_CODE = re.compile(
    rf"""
    (?<![\w-])          # not glued to a word or a dash on the left (DD-1001, A1234)
    (?<!\d[ -])         # not the tail of a longer run ("555 1234")
    ([0-9](?:[ -]?[0-9]){{{MIN_DIGITS - 1},{MAX_DIGITS - 1}}})
    (?![ -]?[0-9])      # not the head of a longer run
    (?![\w-])           # not glued to a word or a dash on the right
    """,
    re.VERBOSE,
)
_SEPARATORS = re.compile(r"[ -]")


def find_code(text: str) -> str | None:
    """The digits of the first code-like run in ``text``, or None.

    >>> find_code("the code is 246 810")
    '246810'
    >>> find_code("cancel DD-1001") is None
    True
    """
    match = _CODE.search(text)
    if match is None:
        return None
    return _SEPARATORS.sub("", match.group(1))
