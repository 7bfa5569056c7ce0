"""A conversation's lock shared by every gateway process (REDIS_URL, production profile).

Inside one process :class:`bot.gateway.conversations.ConversationLocks` keeps a
conversation's messages in arrival order; with several gateway processes this Redis
lock (redis-py's ``Lock``: ``SET NX PX`` with a token, released by a script that checks
it) makes sure only one of them runs a turn of that conversation at a time. A process
that dies holding it — or cannot release it because Redis went away — loses it after
:data:`LEASE_SECONDS`; while a turn runs its holder renews the lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

LEASE_SECONDS = 15.0  # renewed every third of it while the turn runs
WAIT_SECONDS = 150.0  # longer than any turn (RASA_TIMEOUT plus the actions')
KEY_PREFIX = "ma:conversation-lock:"
REDIS_OPTIONS: dict[str, object] = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "health_check_interval": 10,  # a pooled connection idle that long is checked first
    # a connection that broke while Redis was away is replaced and the call tried again
    "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
}
"""Every Redis client of the gateway (these locks, socket.io's fan-out): no call waits
longer than seconds, and Redis coming back is noticed at the next call."""


class SharedLockUnavailable(RuntimeError):
    """Redis could not be reached or the lock not taken in time: the turn is not run."""


class SharedLocks:
    """Per-conversation locks on one Redis server."""

    def __init__(
        self,
        redis: Redis,
        *,
        lease_seconds: float = LEASE_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        """Locks on the Redis server of ``redis`` (the gateway's one shared client,
        :func:`bot.gateway.shared_state.connect`; whoever made it closes it)."""
        self._redis = redis
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
        keeper = asyncio.create_task(self._renew(lock, conversation_id))
        try:
            yield
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            try:
                await lock.release()
            except (LockError, RedisError) as exc:  # expired meanwhile, or Redis gone
                log.warning("shared lock of %s not released: %s", conversation_id, exc)

    async def _renew(self, lock: Lock, conversation_id: str) -> None:
        """Renew the lease every third of it until cancelled (the turn ended)."""
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                await lock.reacquire()
            except (LockError, RedisError) as exc:
                log.warning("shared lock of %s not renewed: %s", conversation_id, exc)
