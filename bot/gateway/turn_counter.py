"""How many user turns each conversation had in its current Rasa session.

The relay starts a new Rasa session after ``RASA_SESSION_MAX_TURNS`` turns. Every store
has the async interface :class:`TurnStore`: :class:`TurnCounter` counts in this process's
memory (bounded: the least recently counted conversations go first); with ``REDIS_URL``
:class:`bot.gateway.shared_state.RedisTurnCounter` counts in Redis, so a conversation
whose messages reach several gateway processes is counted once.
"""

from __future__ import annotations

from typing import Protocol

from cachetools import LRUCache

MAX_COUNTED_CONVERSATIONS = 10_000


class TurnStore(Protocol):
    """User turns per conversation since its Rasa session started."""

    async def count(self, conversation_id: str) -> int:
        """Count one more turn of ``conversation_id``; the turns so far, this one included."""
        ...

    async def set(self, conversation_id: str, turns: int) -> None:
        """Make the count ``turns`` (1 after a new session started)."""
        ...


class TurnCounter:
    """Turns per conversation in this process's memory (see :class:`TurnStore`)."""

    def __init__(self, max_conversations: int = MAX_COUNTED_CONVERSATIONS) -> None:
        self._turns: LRUCache[str, int] = LRUCache(maxsize=max_conversations)

    async def count(self, conversation_id: str) -> int:
        """Count one more turn; the turns so far."""
        turns = self._turns.get(conversation_id, 0) + 1
        self._turns[conversation_id] = turns
        return turns

    async def set(self, conversation_id: str, turns: int) -> None:
        """Make the count ``turns``."""
        self._turns[conversation_id] = turns
