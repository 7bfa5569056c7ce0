"""What the gateway last heard from the platform about a conversation's open handoff.

Asked for every user message, so kept a few seconds per conversation; forgotten when
a gateway process learns something changed (an agent's action, a Rasa turn that may
have opened one, the user cancelling). Every store has the async interface
:class:`HandoffStore`: :class:`HandoffCache` keeps the answers in this process's memory
(bounded: the least recently used entries go first); with ``REDIS_URL``
:class:`bot.gateway.shared_state.RedisHandoffCache` keeps them in Redis, so an agent's
take through one gateway process is seen by every other one at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from cachetools import TTLCache

CACHE_SECONDS = 3.0
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


class HandoffCache:
    """Open handoff (or None) per conversation, each answer trusted ``seconds``, in this
    process's memory."""

    def __init__(
        self,
        seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        size: int = MAX_CACHED,
    ) -> None:
        self._entries: TTLCache[str, dict[str, Any] | None] = TTLCache(
            maxsize=size, ttl=seconds, timer=clock
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
