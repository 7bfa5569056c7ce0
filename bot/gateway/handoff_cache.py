"""What the gateway last heard from the platform about a conversation's open handoff.

Asked for every user message, so kept per conversation: an open handoff
:data:`CACHE_SECONDS`, "none open" :data:`NO_HANDOFF_SECONDS` (a conversation only gets
one through this gateway: a Rasa turn that says it opened one, bot/handoff_signal.py, or
an agent taking it in the console). Forgotten when a gateway process learns something
changed (an agent's action, a Rasa turn that opened one or failed, the user cancelling).
Every store has the async interface :class:`HandoffStore`: :class:`HandoffCache` keeps
the answers in this process's memory (bounded: the least recently used entries go
first); with ``REDIS_URL`` :class:`bot.gateway.shared_state.RedisHandoffCache` keeps them
in Redis, so an agent's take through one gateway process is seen by every other one at
once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from cachetools import TLRUCache

CACHE_SECONDS = 3.0  # an open handoff (its state changes: taken, ended on the platform)
NO_HANDOFF_SECONDS = 30.0  # none open
MAX_CACHED = 10_000

Missing = object()
"""Nothing (fresh) is known: ask the platform."""


class HandoffStore(Protocol):
    """Open handoff (or None) per conversation, each answer trusted a few seconds."""

    async def get(self, conversation_id: str) -> dict[str, Any] | None | object:
        """The cached handoff (None: none open), or :data:`Missing`."""
        ...

    async def put(self, conversation_id: str, handoff: dict[str, Any] | None) -> None:
        """Remember the platform's answer for ``conversation_id``."""
        ...

    async def forget(self, conversation_id: str) -> None:
        """Forget one conversation's answer (for every gateway process sharing it)."""
        ...


def trusted_seconds(handoff: dict[str, Any] | None, seconds: float, none_seconds: float) -> float:
    """How long an answer is trusted: ``seconds`` for an open handoff, ``none_seconds``
    for none."""
    return seconds if handoff is not None else none_seconds


class HandoffCache:
    """Open handoff (or None) per conversation, trusted ``seconds`` (``none_seconds``
    when none is open), in this process's memory."""

    def __init__(
        self,
        seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        size: int = MAX_CACHED,
        none_seconds: float = NO_HANDOFF_SECONDS,
    ) -> None:
        def expires(_key: str, handoff: dict[str, Any] | None, now: float) -> float:
            return now + trusted_seconds(handoff, seconds, none_seconds)

        self._entries: TLRUCache[str, dict[str, Any] | None] = TLRUCache(
            maxsize=size, ttu=expires, timer=clock
        )

    async def get(self, conversation_id: str) -> dict[str, Any] | None | object:
        """The cached handoff (None: none open), or :data:`Missing`."""
        return self._entries.get(conversation_id, Missing)

    async def put(self, conversation_id: str, handoff: dict[str, Any] | None) -> None:
        """Remember the platform's answer for ``conversation_id``."""
        self._entries[conversation_id] = handoff

    async def forget(self, conversation_id: str) -> None:
        """Forget one conversation."""
        self._entries.pop(conversation_id, None)
