"""Two gateway processes (two ConversationLocks on one Redis) never run turns of one
conversation at the same time; other conversations go on in parallel; a lock left by a
process that died is free again after its lease (real Redis)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis
from redis.asyncio import Redis

from bot.gateway.conversations import ConversationLocks
from bot.gateway.shared_locks import KEY_PREFIX, SharedLocks, SharedLockUnavailable
from bot.gateway.shared_state import connect


@pytest.fixture
async def open_locks() -> AsyncIterator[Callable[..., SharedLocks]]:
    """``open_locks(url, **options)``: locks of a gateway process on a Redis client of its
    own, closed after the test."""
    clients: list[Redis] = []

    def open_(url: str, **options: Any) -> SharedLocks:
        clients.append(connect(url))
        return SharedLocks(clients[-1], **options)

    yield open_
    for client in clients:
        await client.aclose()


async def _turn(locks: ConversationLocks, conversation: str, log: list[str], name: str) -> None:
    async with locks.hold(conversation):
        log.append(f"{name} in")
        await asyncio.sleep(0.05)
        log.append(f"{name} out")


async def test_one_conversation_one_turn_at_a_time_across_processes(redis_url, open_locks) -> None:
    gateway_a = ConversationLocks(open_locks(redis_url))
    gateway_b = ConversationLocks(open_locks(redis_url))
    conversation = f"web:1:{uuid.uuid4().hex[:16]}"
    log: list[str] = []
    await asyncio.gather(
        *(_turn(gateway_a if i % 2 else gateway_b, conversation, log, f"t{i}") for i in range(6))
    )
    # each turn's "in" is followed by its own "out": no two turns overlapped
    assert len(log) == 12
    for index in range(0, 12, 2):
        assert log[index].endswith(" in")
        assert log[index + 1] == log[index].replace(" in", " out")


async def test_other_conversations_are_not_held_up(redis_url, open_locks) -> None:
    locks = ConversationLocks(open_locks(redis_url))
    log: list[str] = []
    await asyncio.gather(
        *(_turn(locks, f"web:1:{uuid.uuid4().hex[:16]}", log, f"c{i}") for i in range(4))
    )
    assert all(entry.endswith(" in") for entry in log[:4])  # all four held at once


async def test_a_lock_left_by_a_dead_process_frees_itself(redis_url, open_locks) -> None:
    conversation = f"web:1:{uuid.uuid4().hex[:16]}"
    # what a process that died holding the lock leaves: the key with its last lease
    raw = redis.Redis.from_url(redis_url)
    raw.set(KEY_PREFIX + conversation, "token-of-a-dead-process", px=500)
    raw.close()
    alive = open_locks(redis_url, wait_seconds=0.2)
    patient = open_locks(redis_url, wait_seconds=3)
    with pytest.raises(SharedLockUnavailable):
        async with alive.hold(conversation):
            pass
    async with patient.hold(conversation):
        pass  # taken once the lease ran out


async def test_redis_unreachable_is_a_clear_error(open_locks) -> None:
    locks = open_locks("redis://127.0.0.1:1/0")
    with pytest.raises(SharedLockUnavailable, match="Redis"):
        async with locks.hold("web:1:0000000000000000"):
            pass


async def test_a_long_turn_keeps_its_lock_past_the_lease(redis_url, open_locks) -> None:
    conversation = f"web:1:{uuid.uuid4().hex[:16]}"
    holder = open_locks(redis_url, lease_seconds=0.6)
    other = open_locks(redis_url, wait_seconds=0.3)
    async with holder.hold(conversation):
        await asyncio.sleep(1.5)  # two and a half leases: renewed meanwhile
        with pytest.raises(SharedLockUnavailable):
            async with other.hold(conversation):
                pass
