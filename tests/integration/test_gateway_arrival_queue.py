"""Webhook messages of one sender reaching two gateway processes (two queues on one real
Redis) are handled one at a time, in arrival order, each once — even when the first
process is still busy with an earlier message; without Redis, one process keeps the
order by itself."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest

from bot.config import Settings
from bot.gateway.arrival_queue import QUEUE_PREFIX, ArrivalQueue
from bot.gateway.runtime import GatewayRuntime
from bot.gateway.shared_locks import SharedLocks
from bot.gateway.shared_state import connect


class Process:
    """One gateway process's queue for the ``sms`` channel; what it handled, in order."""

    def __init__(
        self,
        name: str,
        handled: list[tuple[str, int]],
        redis_url: str | None,
        channel: str = "sms-test",
    ) -> None:
        self.name = name
        self.handled = handled
        self.tasks: list[asyncio.Task[None]] = []
        self.redis = connect(redis_url) if redis_url else None
        self.locks = SharedLocks(self.redis) if self.redis else None  # one client, as the runtime
        self.queue = ArrivalQueue(channel, self.handle, self.spawn, self.redis, self.locks)

    late = 0.0  # a busy process starts its background work this late

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        async def later() -> None:
            await asyncio.sleep(self.late)
            await work

        self.tasks.append(asyncio.create_task(later(), name=name))

    async def handle(self, message: dict[str, Any]) -> None:
        await asyncio.sleep(float(message.get("slow", 0)))  # a turn taking a while
        self.handled.append((self.name, int(message["n"])))

    async def settle(self) -> None:
        while pending := [task for task in self.tasks if not task.done()]:
            await asyncio.gather(*pending)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


@pytest.fixture
async def two(redis_url) -> AsyncIterator[tuple[Process, Process, list[tuple[str, int]]]]:
    handled: list[tuple[str, int]] = []
    a, b = Process("a", handled, redis_url), Process("b", handled, redis_url)
    yield a, b, handled
    await a.close()
    await b.close()


def sender() -> str:
    return f"+1555{uuid.uuid4().int % 10**7:07d}"


async def test_a_message_reaching_the_other_process_waits_for_the_earlier_one(two) -> None:
    a, b, handled = two
    phone = sender()
    await a.queue.accept(phone, {"n": 1, "slow": 0.5})
    await b.queue.accept(phone, {"n": 2})  # arrives while the first is being handled
    await asyncio.gather(a.settle(), b.settle())
    assert [n for _, n in handled] == [1, 2]


async def test_the_earlier_message_goes_first_even_when_its_process_is_late(two) -> None:
    a, b, handled = two
    a.late = 0.3  # a got the first webhook but is slow to start on it
    phone = sender()
    await a.queue.accept(phone, {"n": 1})
    await b.queue.accept(phone, {"n": 2})
    await asyncio.gather(a.settle(), b.settle())
    assert handled == [("b", 1), ("b", 2)]  # b took the sender's queue in order


async def test_twenty_messages_alternating_between_processes_keep_their_order(two) -> None:
    a, b, handled = two
    phone = sender()
    for n in range(20):
        await (a if n % 2 == 0 else b).queue.accept(phone, {"n": n, "slow": 0.01})
    await asyncio.gather(a.settle(), b.settle())
    assert [n for _, n in handled] == list(range(20))  # each once, in order


async def test_two_senders_do_not_wait_for_each_other(two) -> None:
    a, b, handled = two
    slow, quick = sender(), sender()
    await a.queue.accept(slow, {"n": 1, "slow": 0.5})
    await b.queue.accept(quick, {"n": 2})
    await asyncio.gather(a.settle(), b.settle())
    assert [n for _, n in handled] == [2, 1]


async def test_without_redis_one_process_keeps_the_order() -> None:
    handled: list[tuple[str, int]] = []
    alone = Process("alone", handled, None)
    phone = sender()
    await alone.queue.accept(phone, {"n": 1, "slow": 0.2})
    await alone.queue.accept(phone, {"n": 2})
    await alone.settle()
    assert handled == [("alone", 1), ("alone", 2)]


async def test_redis_unreachable_handles_the_message_here() -> None:
    handled: list[tuple[str, int]] = []
    cut = Process("cut", handled, "redis://127.0.0.1:1/0")
    try:
        await cut.queue.accept(sender(), {"n": 1})
        await cut.settle()
    finally:
        await cut.close()
    assert handled == [("cut", 1)]


async def queue_behind_everyone(process: Process, channel: str, phone: str, *ns: int) -> None:
    """Messages queued in Redis as a webhook does, with nobody handling them (Redis failed
    right after, or the process that queued them stopped)."""
    assert process.redis is not None
    for n in ns:
        await process.redis.rpush(f"{QUEUE_PREFIX}{channel}:{phone}", json.dumps({"n": n}))


async def test_messages_nobody_handled_are_handled_by_the_next_sweep_in_order_once(
    redis_url,
) -> None:
    handled: list[tuple[str, int]] = []
    channel = f"sweep-{uuid.uuid4().hex[:8]}"
    a = Process("a", handled, redis_url, channel)
    try:
        phone = sender()
        await queue_behind_everyone(a, channel, phone, 1, 2)
        assert await a.queue.sweep() == 1
        await a.settle()
        assert await a.queue.sweep() == 0  # nothing left
        await a.settle()
    finally:
        await a.close()
    assert handled == [("a", 1), ("a", 2)]


async def test_a_sweep_while_another_process_handles_the_sender_handles_nothing_twice(
    redis_url,
) -> None:
    handled: list[tuple[str, int]] = []
    channel = f"sweep-{uuid.uuid4().hex[:8]}"
    a, b = Process("a", handled, redis_url, channel), Process("b", handled, redis_url, channel)
    try:
        phone = sender()
        await a.queue.accept(phone, {"n": 1, "slow": 0.5})
        await asyncio.sleep(0.1)  # a is handling 1
        await queue_behind_everyone(a, channel, phone, 2)
        await b.queue.sweep()
        await asyncio.gather(a.settle(), b.settle())
    finally:
        await a.close()
        await b.close()
    assert sorted(n for _, n in handled) == [1, 2]
    assert [n for _, n in handled] == [1, 2]


async def test_the_runtime_sweeps_its_queues_by_itself(redis_url) -> None:
    settings = Settings(_env_file=None, redis_url=redis_url, inbound_sweep_seconds=0.2)
    runtime = GatewayRuntime(settings)
    channel = f"sweep-{uuid.uuid4().hex[:8]}"
    handled: list[int] = []
    done = asyncio.Event()

    async def handle(message: dict[str, Any]) -> None:
        handled.append(int(message["n"]))
        done.set()

    runtime.arrival_queue(channel, handle)
    await runtime.open()
    try:
        probe = Process("probe", [], redis_url, channel)
        await queue_behind_everyone(probe, channel, sender(), 7)
        await probe.close()
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        await runtime.close()
    assert handled == [7]
