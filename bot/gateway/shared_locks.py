"""A conversation's lock shared by every gateway process (REDIS_URL, production profile).

Inside one process :class:`bot.gateway.conversations.ConversationLocks` keeps a
conversation's messages in arrival order; with several gateway processes this Redis
lock (redis-py's ``Lock``: ``SET NX PX`` with a token, released by a script that checks
it) makes sure only one of them runs a turn of that conversation at a time. A process
that dies holding it loses it after :data:`LEASE_SECONDS`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0  # longer than any turn (RASA_TIMEOUT plus the actions')
WAIT_SECONDS = 150.0
KEY_PREFIX = "ma:conversation-lock:"


class SharedLockUnavailable(RuntimeError):
    """Redis could not be reached or the lock not taken in time: the turn is not run."""


class SharedLocks:
    """Per-conversation locks on one Redis server."""

    def __init__(
        self,
        url: str,
        *,
        lease_seconds: float = LEASE_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        """Locks on the Redis server at ``url`` (connections are opened when used)."""
        self._redis = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
        self._lease = lease_seconds
        self._wait = wait_seconds

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation's shared lock for the ``async with`` block.

        Raises:
            SharedLockUnavailable: Redis is unreachable, or another process held the
                lock for longer than the wait.
        """
        lock = self._redis.lock(
            KEY_PREFIX + conversation_id,
            timeout=self._lease,
            blocking_timeout=self._wait,
            sleep=0.02,
        )
        try:
            taken = await lock.acquire()
        except RedisError as exc:
            raise SharedLockUnavailable(f"Redis: {exc}") from exc
        if not taken:
            raise SharedLockUnavailable(f"lock of {conversation_id} busy")
        try:
            yield
        finally:
            try:
                await lock.release()
            except (LockError, RedisError) as exc:  # expired meanwhile, or Redis gone
                log.warning("shared lock of %s not released: %s", conversation_id, exc)

    async def aclose(self) -> None:
        """Close the Redis connections."""
        await self._redis.aclose()
