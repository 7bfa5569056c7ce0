"""Conversation ids the gateway names itself, and one lock per conversation.

A conversation id is ``<channel>:<user id>:<session id>`` (e.g. ``web:1:9f86d081884c7d65``),
with a random 16-hex-digit session id the gateway issued. It becomes Rasa's ``sender``,
so a client can never pick someone else's tracker: an id a client names is only
accepted when it has exactly this form and the user id of the verified identity.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.gateway.shared_locks import SharedLocks

SESSION_HEX_CHARS = 16
MAX_CONVERSATION_ID_CHARS = 200

# <channel>:<user id>:<session part>, for every channel (the web's session part is 16
# hex digits; other channels may name theirs differently, but never with a colon).
_CONVERSATION_ID = re.compile(r"([a-z][a-z0-9_]{0,31}):([1-9][0-9]{0,17}):([A-Za-z0-9_.-]{1,128})")


@dataclass(frozen=True)
class ConversationRef:
    """The parts of a conversation id the gateway named: channel and user."""

    channel: str
    user_id: int


def parse_conversation_id(conversation_id: object) -> ConversationRef | None:
    """The channel and user id of a gateway-named conversation id, or None.

    Works for any channel prefix (``web:1:9f86d081884c7d65`` → ``("web", 1)``); anything
    that is not ``<channel>:<user id>:<session part>`` (lower-case channel, positive
    decimal user id, a session part without colons) is None.

    >>> parse_conversation_id("web:1:9f86d081884c7d65")
    ConversationRef(channel='web', user_id=1)
    >>> parse_conversation_id("web:01:x") is None
    True
    """
    if not isinstance(conversation_id, str) or len(conversation_id) > MAX_CONVERSATION_ID_CHARS:
        return None
    match = _CONVERSATION_ID.fullmatch(conversation_id)
    if match is None:
        return None
    return ConversationRef(channel=match.group(1), user_id=int(match.group(2)))


def new_conversation_id(channel: str, user_id: int) -> str:
    """A fresh conversation id for ``user_id`` on ``channel``."""
    return f"{channel}:{user_id}:{secrets.token_hex(SESSION_HEX_CHARS // 2)}"


def continued_conversation_id(requested: object, channel: str, user_id: int) -> str | None:
    """``requested`` if it names a conversation of ``user_id`` on ``channel``, else None."""
    if not isinstance(requested, str):
        return None
    pattern = rf"{re.escape(channel)}:{user_id}:[0-9a-f]{{{SESSION_HEX_CHARS}}}"
    return requested if re.fullmatch(pattern, requested) else None


class ConversationLocks:
    """One ``asyncio.Lock`` per conversation id, so its messages are processed in order.

    A lock exists only while someone holds or waits for it, so memory stays bounded by
    the number of conversations with a message in flight. ``asyncio.Lock`` wakes
    waiters in arrival order, and :meth:`hold` takes the lock before its first
    suspension point, so messages are handled in the order their handlers started.
    """

    def __init__(self, shared: SharedLocks | None = None) -> None:
        """Create an empty set of locks; with ``shared`` (several gateway processes),
        each is also held in Redis while held here."""
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._shared = shared

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation's lock for the duration of the ``async with`` block."""
        lock, users = self._locks.get(conversation_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                if self._shared is None:
                    yield
                else:
                    async with self._shared.hold(conversation_id):
                        yield
        finally:
            lock, users = self._locks[conversation_id]
            if users <= 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    def busy(self, conversation_id: str) -> bool:
        """Whether someone holds or waits for the conversation's lock."""
        return conversation_id in self._locks

    def __len__(self) -> int:
        """How many conversations have a message in flight."""
        return len(self._locks)
