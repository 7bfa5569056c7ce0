"""Two gateway processes (two store instances on one real Redis) share what a turn leaves
for the next: a button issued by one resolves in the other, a one-time button pressed in
both at once resolves once, an SMS reply maps to the choices the other sent, an agent's
take through one is seen by the other's handoff cache; every key expires; Redis
unreachable is a clear error the relay turns into its "can't answer" text
(test_gateway_shared_state_turns.py: the same through two relays and handoff routers)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.gateway.handoff_cache import Missing
from bot.gateway.runtime import GatewayRuntime
from bot.gateway.shared_state import (
    STATE_SECONDS,
    RedisButtons,
    RedisHandoffCache,
    RedisSmsChoices,
    SharedStateUnavailable,
    connect,
)

CANCEL = '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy","request_id":"r1"}'
HANDOFF = {"id": 7, "conversation_id": "web:3:x", "state": "taken", "language": "fr"}


@dataclass
class Two:
    """Two gateway processes' clients, and the unique key prefix of this test."""

    a: Redis
    b: Redis
    prefix: str


@pytest.fixture
async def two(redis_url) -> AsyncIterator[Two]:
    a, b = connect(redis_url), connect(redis_url)
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield Two(a, b, prefix)
    keys = [key async for key in a.scan_iter(match=prefix + "*")]
    if keys:
        await a.delete(*keys)
    await a.aclose()
    await b.aclose()


def conversation() -> str:
    return f"web:3:{uuid.uuid4().hex[:16]}"


async def test_a_button_issued_by_one_process_resolves_in_another(two: Two) -> None:
    a, b = RedisButtons(two.a, two.prefix), RedisButtons(two.b, two.prefix)
    mine = conversation()
    button_id = await a.issue(mine, "/affirm")
    assert await b.resolve(mine, button_id) == "/affirm"
    assert await a.resolve(mine, button_id) == "/affirm"  # reusable, in either process
    assert await b.resolve(conversation(), button_id) is None  # only in its conversation
    assert await b.resolve(mine, "b_unknown000") is None
    assert not await b.used_up(mine, button_id)


async def test_a_one_time_button_pressed_in_both_processes_at_once_resolves_once(
    two: Two,
) -> None:
    a, b = RedisButtons(two.a, two.prefix), RedisButtons(two.b, two.prefix)
    mine = conversation()
    for _ in range(20):
        button_id = await a.issue(mine, CANCEL, one_time=True)
        presses = [store.resolve(mine, button_id) for store in (a, b, a, b)]
        results = await asyncio.gather(*presses)
        assert sorted(results, key=str) == [CANCEL, None, None, None]
        assert await a.used_up(mine, button_id) and await b.used_up(mine, button_id)


async def test_forget_and_the_per_conversation_cap_hold_for_every_process(two: Two) -> None:
    a = RedisButtons(two.a, two.prefix, per_conversation=3)
    b = RedisButtons(two.b, two.prefix, per_conversation=3)
    mine = conversation()
    ids = [await (a if n % 2 else b).issue(mine, f"/p{n}") for n in range(4)]
    assert await b.resolve(mine, ids[0]) is None  # the oldest is forgotten
    assert [await a.resolve(mine, i) for i in ids[1:]] == ["/p1", "/p2", "/p3"]
    await b.forget(mine)
    assert [await a.resolve(mine, i) for i in ids] == [None] * 4


async def test_sms_choices_offered_by_one_process_resolve_in_another(two: Two) -> None:
    a, b = RedisSmsChoices(two.a, two.prefix), RedisSmsChoices(two.b, two.prefix)
    sms = "sms:3:15550000003"
    offer = await a.offer(sms, [("b_later", False), ("b_cancel", True), ("b_support", False)])
    assert await b.resolve(sms, "2") == "b_support"
    assert await b.resolve(sms, f" {offer.code_of('b_cancel').lower()} ") == "b_cancel"
    assert await b.last(sms) == offer
    assert await b.resolve("sms:4:15550000004", "1") is None  # another conversation
    await b.offer(sms, [("b_new", False)])  # the next turn went out through B
    assert await a.resolve(sms, "1") == "b_new"
    assert await a.resolve(sms, "2") is None
    await a.forget(sms)
    assert (await b.last(sms)).numbers == {}


async def test_a_handoff_change_in_one_process_is_seen_by_the_other(two: Two) -> None:
    a, b = RedisHandoffCache(two.a, two.prefix), RedisHandoffCache(two.b, two.prefix)
    mine = conversation()
    assert await a.get(mine) is Missing
    await a.put(mine, None)  # A asked the platform: no handoff
    assert await b.get(mine) is None
    await b.forget(mine)  # an agent took it through B
    assert await a.get(mine) is Missing  # A asks the platform again
    await b.put(mine, HANDOFF)
    assert await a.get(mine) == HANDOFF


async def test_keys_expire(two: Two, redis_url) -> None:
    mine, sms = conversation(), "sms:3:15550000003"
    buttons = RedisButtons(two.a, two.prefix, seconds=0.3)
    choices = RedisSmsChoices(two.a, two.prefix, seconds=0.3)
    cache = RedisHandoffCache(two.a, two.prefix, seconds=0.3, none_seconds=0.4)
    button_id = await buttons.issue(mine, "/affirm")
    await choices.offer(sms, [("b_later", False)])
    await cache.put(mine, HANDOFF)
    await cache.put(sms, None)
    await asyncio.sleep(0.8)
    assert await RedisButtons(two.b, two.prefix).resolve(mine, button_id) is None
    assert await RedisSmsChoices(two.b, two.prefix).resolve(sms, "1") is None
    assert await RedisHandoffCache(two.b, two.prefix).get(mine) is Missing
    assert await RedisHandoffCache(two.b, two.prefix).get(sms) is Missing
    assert [key async for key in two.a.scan_iter(match=two.prefix + "*")] == []


async def test_no_key_lives_longer_than_a_day_after_its_last_use(two: Two) -> None:
    mine, sms = conversation(), "sms:3:15550000003"
    await RedisButtons(two.a, two.prefix).issue(mine, "/affirm")
    await RedisSmsChoices(two.a, two.prefix).offer(sms, [("b_later", False)])
    await RedisHandoffCache(two.a, two.prefix).put(mine, None)
    ttls = {key: await two.a.pttl(key) async for key in two.a.scan_iter(match=two.prefix + "*")}
    assert len(ttls) == 4  # the buttons' hash and order, the choices, the handoff
    assert all(0 < ttl <= STATE_SECONDS * 1000 for ttl in ttls.values()), ttls
    [handoff_key] = [key for key in ttls if ":handoff:" in key]
    assert 3000 < ttls[handoff_key] <= 30_000  # "none open": trusted 30 s, an open one 3 s


async def test_two_runtimes_on_one_redis_share_buttons_and_sms_choices(redis_url) -> None:
    settings = Settings(_env_file=None, redis_url=redis_url)
    first, second = GatewayRuntime(settings), GatewayRuntime(settings)
    try:
        mine, sms = conversation(), f"sms:3:1555{uuid.uuid4().int % 10**7:07d}"
        button_id = await first.buttons.issue(mine, CANCEL, one_time=True)
        assert await second.buttons.resolve(mine, button_id) == CANCEL
        assert await first.buttons.resolve(mine, button_id) is None
        await first.sms_choices.offer(sms, [("b_later", False), ("b_support", False)])
        assert await second.sms_choices.resolve(sms, "2") == "b_support"
        await second.buttons.forget(mine)
        await second.sms_choices.forget(sms)
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize(
    "call",
    [
        lambda r: RedisButtons(r).issue("web:1:x", "/affirm"),
        lambda r: RedisButtons(r).resolve("web:1:x", "b_0123456789"),
        lambda r: RedisSmsChoices(r).offer("sms:1:1", [("b_1", False)]),
        lambda r: RedisSmsChoices(r).last("sms:1:1"),
        lambda r: RedisHandoffCache(r).get("web:1:x"),
        lambda r: RedisHandoffCache(r).forget("web:1:x"),
    ],
)
async def test_redis_unreachable_is_a_clear_error(call) -> None:
    client = connect("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(SharedStateUnavailable, match="Redis"):
            await call(client)
    finally:
        await client.aclose()
