"""What one gateway process shares across its channels, opened on startup.

Nothing here touches the network or the disk when it is created: the HTTP clients
are built by :meth:`GatewayRuntime.open` (the app's startup) and closed by
:meth:`GatewayRuntime.close`.

Channels register how replies reach one of their conversations
(:meth:`GatewayRuntime.register_channel`), so a conversation can continue without a
user message (the internal continue endpoint, :mod:`bot.gateway.continuation`), and
agents' replies reach a handed-off conversation (``runtime.handoffs``,
:class:`bot.gateway.handoff.HandoffRouter`, created with the runtime so the console can
subscribe to it before the runtime opens).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from redis.exceptions import RedisError

from bot.config import Settings, rasa_lock_key
from bot.gateway.arrival_queue import ArrivalQueue
from bot.gateway.buttons import ButtonRegistry, ButtonStore
from bot.gateway.conversations import ConversationLocks
from bot.gateway.handoff import HandoffRouter
from bot.gateway.handoff_cache import HandoffCache, HandoffStore
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.gateway.rendering import BotReply
from bot.gateway.shared_locks import SharedLocks
from bot.gateway.shared_state import (
    RedisButtons,
    RedisHandoffCache,
    RedisSmsChoices,
    RedisTurnCounter,
    connect,
)
from bot.gateway.sms_choices import ChoiceStore, SmsChoices
from bot.gateway.turn_counter import TurnCounter, TurnStore
from bot.internal_client import InternalPlatformClient

log = logging.getLogger(__name__)

ChannelDeliver = Callable[[str, list[BotReply]], Awaitable[None]]
"""``deliver(conversation_id, replies)``: send one turn's replies to a conversation."""


class GatewayRuntime:
    """The shared clients (platform, Rasa), button ids (``buttons``), SMS choices
    (``sms_choices``), locks, relay, channels and the handoff router (``handoffs``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        platform_transport: httpx.AsyncBaseTransport | None = None,
        rasa_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Prepare the runtime without opening anything.

        Args:
            settings: the process settings.
            platform_transport: httpx transport for the platform client (tests only).
            rasa_transport: httpx transport for the Rasa client (tests only).
        """
        self.settings = settings
        # REDIS_URL (production profile): a conversation's turns never overlap across
        # gateway processes either, and the state a turn leaves for the next one (button
        # ids, SMS choices, the cached handoff) is the same in every process.
        self._redis = connect(settings.redis_url) if settings.redis_url else None
        self._shared_locks = SharedLocks(self._redis) if self._redis is not None else None
        self.buttons: ButtonStore = ButtonRegistry()
        self.sms_choices: ChoiceStore = SmsChoices()
        handoff_cache: HandoffStore = HandoffCache()
        self._turns: TurnStore = TurnCounter()
        if self._redis is not None:
            self.buttons = RedisButtons(self._redis)
            self.sms_choices = RedisSmsChoices(self._redis)
            handoff_cache = RedisHandoffCache(self._redis)
            self._turns = RedisTurnCounter(self._redis)
        self.locks = ConversationLocks(self._shared_locks)
        self._platform_transport = platform_transport
        self._rasa_transport = rasa_transport
        self._platform: InternalPlatformClient | None = None
        self._rasa: RasaClient | None = None
        self._relay: Relay | None = None
        self._channels: dict[str, ChannelDeliver] = {}
        self.handoffs = HandoffRouter(self.locks, self.delivery, handoff_cache)
        self._tasks: set[asyncio.Task[None]] = set()
        self._queues: list[ArrivalQueue] = []
        self._startup: list[Callable[[], Awaitable[None]]] = []
        self._shutdown: list[Callable[[], Awaitable[None]]] = []

    def on_lifecycle(
        self,
        startup: Callable[[], Awaitable[None]] | None = None,
        shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Run ``startup`` at the end of :meth:`open` and ``shutdown`` at the start of
        :meth:`close` (channels open their clients and polling loops this way)."""
        if startup is not None:
            self._startup.append(startup)
        if shutdown is not None:
            self._shutdown.append(shutdown)

    def register_channel(self, channel: str, deliver: ChannelDeliver) -> None:
        """Register how a channel delivers a turn's replies to one of its conversations.

        Args:
            channel: the channel prefix of its conversation ids (``web``, ``telegram``...).
            deliver: ``deliver(conversation_id, replies)``; it sends the replies and
                whatever marks the end of a turn on that channel.
        """
        self._channels[channel] = deliver

    def delivery(self, channel: str) -> ChannelDeliver | None:
        """The registered delivery of ``channel``, or None."""
        return self._channels.get(channel)

    async def _forget_rasa_lock(self, conversation_id: str) -> None:
        """Drop Rasa's ticket lock of a conversation whose Rasa worker died holding it."""
        assert self._redis is not None
        try:
            await self._redis.delete(rasa_lock_key(conversation_id))
        except RedisError as exc:
            log.warning("Rasa's lock of %s not dropped: %s", conversation_id, exc)

    def arrival_queue(
        self,
        channel: str,
        handle: Callable[[dict[str, Any]], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], Any] | None = None,
    ) -> ArrivalQueue:
        """Per-sender arrival order for ``channel``'s webhook messages (across gateway
        processes when Redis is configured), handled by ``spawn`` (default :meth:`spawn`)."""
        queue = ArrivalQueue(channel, handle, spawn or self.spawn, self._redis, self._shared_locks)
        self._queues.append(queue)
        return queue

    async def _sweep_inbound(self) -> None:
        """Every INBOUND_SWEEP_SECONDS, have what the arrival queues left in Redis handled
        (a message queued just before Redis failed, or by a process that stopped)."""
        while True:
            await asyncio.sleep(self.settings.inbound_sweep_seconds)
            for queue in self._queues:
                try:
                    await queue.sweep()
                except RedisError as exc:
                    log.info("inbound sweep skipped: %s", exc)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` in the background, keeping a reference until it is done.

        Failures are logged (the caller has answered already); :meth:`close` cancels
        what is still running.
        """
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def open(self) -> None:
        """Build the HTTP clients and the relay."""
        settings = self.settings
        self._platform = InternalPlatformClient(
            settings.effective_platform_url(),
            settings.internal_token.get_secret_value(),
            timeout=settings.platform_timeout,
            transport=self._platform_transport,
        )
        self._rasa = RasaClient(
            settings.effective_rasa_urls(),  # several workers: one per conversation
            settings.rasa_timeout,
            transport=self._rasa_transport,
            api_token=settings.rasa_token.get_secret_value(),
            forget_lock=self._forget_rasa_lock if self._redis is not None else None,
        )
        self._relay = Relay(
            self._rasa,
            self.buttons,
            self.locks,
            settings.identity_secret.get_secret_value(),
            settings.identity_ttl_seconds,
            session_max_turns=settings.rasa_session_max_turns,
            platform=self._platform,
            handoffs=self.handoffs,
            turns=self._turns,
        )
        self.handoffs.bind(self._platform, self._rasa)
        if self._redis is not None:
            self.spawn(self._sweep_inbound(), "inbound sweep")
        for startup in self._startup:
            await startup()

    async def close(self) -> None:
        """Stop the channels, cancel the background tasks still running, close the clients."""
        for shutdown in reversed(self._shutdown):
            try:
                await shutdown()
            except Exception:  # noqa: BLE001 - closing must go on for the others
                log.exception("a channel failed to shut down")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in (self._platform, self._rasa):
            if client is not None:
                await client.aclose()
        self.handoffs.bind(None, None)
        self._platform = self._rasa = self._relay = None
        if self._redis is not None:  # the shared locks' client too
            await self._redis.aclose()

    @property
    def platform(self) -> InternalPlatformClient:
        """The platform's internal API client (only between open and close)."""
        if self._platform is None:
            raise RuntimeError("the gateway runtime is not open")
        return self._platform

    @property
    def relay(self) -> Relay:
        """The relay to Rasa (only between open and close)."""
        if self._relay is None:
            raise RuntimeError("the gateway runtime is not open")
        return self._relay
