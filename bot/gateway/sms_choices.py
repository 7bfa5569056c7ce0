"""What the last bot turn of each SMS conversation offered, and how replies map back.

SMS has no buttons: the renderer (:mod:`bot.gateway.render_sms`) numbers the choices
of a bot turn ("Reply 1 for …, 2 for …") and shows a short random **confirm code**
instead of a number for every one-time button (a side effect: reconnect, cancel,
activate…). This module remembers, per conversation, what the **last** bot turn
offered, and turns a user's reply back into the opaque button id the gateway issued:

* ``"1"``, ``" 2 "`` … → the id of that numbered (not one-time) button;
* a confirm code (any case, surrounding spaces) → the id of its one-time button.

A caller id can be spoofed, and a spoofer never sees our replies: a one-time button is
never numbered, so blind replies such as ``1`` or ``YES`` can never confirm a side
effect. Codes are 4 characters from an alphabet of upper-case letters without ``I``
and ``O`` plus the digits 2–9, always with at least one letter (so a code is never
taken for a number, nor for a 2FA code, see :mod:`bot.gateway.codes`), never an SMS
keyword (``HELP``, ``BAJA``…), and unique within the turn.

A new bot turn replaces the previous turn's options. Every store has the async
interface :class:`ChoiceStore`: :class:`SmsChoices` keeps the offers in this process's
memory, bounded like the :class:`~bot.gateway.buttons.ButtonRegistry` (the
``max_conversations`` conversations used most recently are kept); with ``REDIS_URL``
:class:`bot.gateway.shared_state.RedisSmsChoices` keeps them in Redis for a day, so a
reply reaching any gateway process maps to what another one sent.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from cachetools import LRUCache

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O (they read as 1 and 0)
CODE_DIGITS = "23456789"  # no 0, no 1
CODE_ALPHABET = CODE_LETTERS + CODE_DIGITS
CODE_LENGTH = 4

RESERVED_WORDS = frozenset(
    {
        # SMS keywords the channel answers itself (bot.gateway.channels.sms)
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "END",
        "QUIT",
        "ARRET",
        "BAJA",
        "START",
        "UNSTOP",
        "YES",
        "HELP",
        "INFO",
        "AIDE",
        "AYUDA",
    }
)
"""Words a code must never be, so a keyword never confirms anything and vice versa."""

_NUMBER = re.compile(r"[1-9][0-9]{0,2}")
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_code(taken: Iterable[str] = ()) -> str:
    """A fresh confirm code, e.g. ``KX7Q``: never all digits, never a reserved word.

    Args:
        taken: codes already used in the same turn (the new one differs from them).
    """
    used = set(taken)
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c in CODE_LETTERS for c in code) and code not in RESERVED_WORDS | used:
            return code


@dataclass(frozen=True)
class Offer:
    """What one bot turn offered: numbered choices and confirm codes, by button id.

    Attributes:
        numbers: ``{"1": button id, "2": …}`` for the buttons without side effects.
        codes: ``{"KX7Q": button id}`` for the one-time buttons.
    """

    numbers: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    def number_of(self, button_id: str) -> str | None:
        """The number offered for ``button_id``, or None."""
        return next((n for n, b in self.numbers.items() if b == button_id), None)

    def code_of(self, button_id: str) -> str | None:
        """The confirm code offered for ``button_id``, or None."""
        return next((c for c, b in self.codes.items() if b == button_id), None)

    def resolve(self, reply: str) -> str | None:
        """The button id a reply stands for (a number, or a code in any case), or None."""
        cleaned = reply.strip()
        if _NUMBER.fullmatch(cleaned):
            return self.numbers.get(cleaned)
        code = cleaned.upper()
        if _CODE.fullmatch(code):
            return self.codes.get(code)
        return None


def build_offer(buttons: Iterable[tuple[str, bool]]) -> Offer:
    """Number the buttons without side effects and give each one-time button a code.

    Args:
        buttons: ``(button id, one-time)`` in the order the turn shows them; numbers
            run across all replies of the turn, starting at 1.
    """
    numbers: dict[str, str] = {}
    codes: dict[str, str] = {}
    for button_id, one_time in buttons:
        if one_time:
            codes[new_code(codes)] = button_id
        else:
            numbers[str(len(numbers) + 1)] = button_id
    return Offer(numbers=numbers, codes=codes)


class ChoiceStore(Protocol):
    """Where the last bot turn's options of each SMS conversation are kept."""

    async def offer(self, conversation_id: str, buttons: Iterable[tuple[str, bool]]) -> Offer:
        """Record a new bot turn's options (replacing the previous turn's) and return them."""
        ...

    async def last(self, conversation_id: str) -> Offer:
        """What the last bot turn of the conversation offered (empty when nothing)."""
        ...

    async def resolve(self, conversation_id: str, reply: str) -> str | None:
        """The button id a reply stands for in the conversation's last turn, or None."""
        ...

    async def forget(self, conversation_id: str) -> None:
        """Drop a conversation's options."""
        ...


class SmsChoices:
    """The options the last bot turn offered in each SMS conversation (this process's
    memory)."""

    def __init__(self, max_conversations: int = 10_000) -> None:
        """Create an empty memory.

        Args:
            max_conversations: conversations kept; the least recently used are forgotten.
        """
        if max_conversations < 1:
            raise ValueError("max_conversations must be positive")
        self._offers: LRUCache[str, Offer] = LRUCache(maxsize=max_conversations)

    async def offer(self, conversation_id: str, buttons: Iterable[tuple[str, bool]]) -> Offer:
        """Record a new bot turn's options (replacing the previous turn's) and return them.

        Args:
            conversation_id: the SMS conversation the turn belongs to.
            buttons: ``(button id, one-time)`` in the order the turn shows them.
        """
        offer = build_offer(buttons)
        self._offers[conversation_id] = offer
        return offer

    async def last(self, conversation_id: str) -> Offer:
        """What the last bot turn of the conversation offered (empty when nothing)."""
        return self._offers.get(conversation_id) or Offer()

    async def resolve(self, conversation_id: str, reply: str) -> str | None:
        """The button id a reply stands for in the conversation's last turn, or None.

        None means the reply is plain text (it goes to Rasa as typed).
        """
        offer = self._offers.get(conversation_id)
        return None if offer is None else offer.resolve(reply)

    async def forget(self, conversation_id: str) -> None:
        """Drop a conversation's options."""
        self._offers.pop(conversation_id, None)

    def __len__(self) -> int:
        """How many conversations have options remembered."""
        return len(self._offers)
