"""Webhook messages of one sender, handled one at a time in the order they arrived —
whichever gateway process each webhook reached.

A webhook (Twilio's, Telegram's) is answered at once and its message handled in the
background. With one process, an ``asyncio.Lock`` per sender keeps the order (it wakes
waiters in arrival order). With several processes (REDIS_URL), two webhooks of one
sender can reach two processes; a lock alone would let the later one win the race. So
the webhook appends the message to the sender's Redis list *before* answering — the
list's order is the arrival order — and a background task takes the sender's shared
lock and handles the list until it is empty. Whichever process holds the lock handles
every message queued meanwhile, in order; a process that cannot take the lock in time
leaves its message to the holder. Redis unreachable when queueing: the message is
handled here (the relay then tells the user it cannot answer). A message left in Redis
with nobody handling it (Redis failed between queueing and handling, or its process
stopped) is picked up by :meth:`ArrivalQueue.sweep`, which the runtime calls every
``INBOUND_SWEEP_SECONDS``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.gateway.conversations import ConversationLocks
from bot.gateway.shared_locks import SharedLocks, SharedLockUnavailable

log = logging.getLogger(__name__)

QUEUE_PREFIX = "ma:inbound:"
QUEUE_SECONDS = 3600
"""A queued message nobody handled (every process gone) is dropped after this long."""

Handler = Callable[[dict[str, Any]], Awaitable[None]]
Spawner = Callable[[Coroutine[Any, Any, None], str], Any]


class ArrivalQueue:
    """Per-sender arrival order for one channel's webhook messages."""

    def __init__(
        self,
        channel: str,
        handle: Handler,
        spawn: Spawner,
        redis: Redis | None = None,
        shared: SharedLocks | None = None,
    ) -> None:
        """Queue for ``channel``.

        Args:
            channel: the channel's name (part of the Redis keys).
            handle: handles one message (a JSON-able dict), never raising for a
                user's mistake; an exception is logged and the next message handled.
            spawn: runs a coroutine in the background (the runtime's ``spawn``).
            redis: the shared Redis (several gateway processes), or None.
            shared: the shared locks on that Redis (with ``redis``).
        """
        self._channel = channel
        self._handle = handle
        self._spawn = spawn
        self._redis = redis if shared is not None else None
        self._shared = shared
        self._local = ConversationLocks()

    async def accept(self, sender: str, message: dict[str, Any]) -> None:
        """Queue ``message`` of ``sender`` (call before answering the webhook) and have
        it handled in the background, after the sender's earlier messages."""
        if self._redis is not None:
            key = f"{QUEUE_PREFIX}{self._channel}:{sender}"
            try:
                await self._redis.rpush(key, json.dumps(message))
                await self._redis.expire(key, QUEUE_SECONDS)
            except RedisError as exc:
                log.warning("%s message not queued in Redis (%s): handled here", self._channel, exc)
            else:
                self._spawn(self._drain(sender, key), f"{self._channel} inbound")
                return
        self._spawn(self._one(sender, message), f"{self._channel} inbound")

    async def sweep(self) -> int:
        """Have the queued messages of every sender this process is not handling now
        handled (after the ones of the same sender before them); how many senders had
        some. Finds what Redis failing or a process stopping left behind.

        Raises:
            RedisError: Redis is unreachable (the next sweep tries again).
        """
        if self._redis is None:
            return 0
        prefix = f"{QUEUE_PREFIX}{self._channel}:"
        keys = [key async for key in self._redis.scan_iter(match=prefix + "*", count=500)]
        senders = [key[len(prefix) :] for key in keys]
        waiting = [sender for sender in senders if not self._local.busy(sender)]
        for sender in waiting:
            self._spawn(self._drain(sender, prefix + sender), f"{self._channel} inbound sweep")
        return len(waiting)

    async def _one(self, sender: str, message: dict[str, Any]) -> None:
        async with self._local.hold(sender):
            await self._safely(message)

    async def _drain(self, sender: str, key: str) -> None:
        assert self._redis is not None and self._shared is not None
        try:
            lock = f"inbound:{self._channel}:{sender}"
            async with self._local.hold(sender), self._shared.hold(lock):
                while (raw := await self._redis.lpop(key)) is not None:
                    await self._safely(json.loads(raw))
        except SharedLockUnavailable as exc:  # busy: its holder handles our message too
            log.info("%s inbound of %s left to the lock's holder: %s", self._channel, key, exc)
        except RedisError as exc:
            log.warning("%s inbound of %s not read: %s", self._channel, key, exc)

    async def _safely(self, message: dict[str, Any]) -> None:
        try:
            await self._handle(message)
        except Exception:  # one bad message never blocks the sender's next ones
            log.exception("%s inbound message failed", self._channel)
