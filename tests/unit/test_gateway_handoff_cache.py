"""HandoffCache (the embedded profile's, in memory): answers trusted a few seconds,
forgotten on changes, bounded."""

from __future__ import annotations

from bot.gateway.handoff_cache import HandoffCache, Missing

HANDOFF = {"id": 7, "conversation_id": "web:3:x", "state": "taken"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_an_open_handoff_is_trusted_seconds_and_none_open_longer() -> None:
    clock = Clock()
    cache = HandoffCache(seconds=3.0, clock=clock, none_seconds=30.0)
    assert await cache.get("web:3:x") is Missing
    await cache.put("web:3:x", None)
    await cache.put("web:3:y", HANDOFF)
    assert await cache.get("web:3:x") is None  # no handoff open
    assert await cache.get("web:3:y") == HANDOFF
    clock.now += 3.0
    assert await cache.get("web:3:y") is Missing  # its state may have changed: ask
    assert await cache.get("web:3:x") is None
    clock.now += 27.0
    assert await cache.get("web:3:x") is Missing


async def test_forget_drops_one_conversation() -> None:
    cache = HandoffCache()
    await cache.put("web:3:x", None)
    await cache.put("web:3:y", HANDOFF)
    await cache.forget("web:3:x")
    assert await cache.get("web:3:x") is Missing
    assert await cache.get("web:3:y") == HANDOFF


async def test_the_least_recently_stored_answers_go_first() -> None:
    cache = HandoffCache(size=2)
    for conversation in ("a", "b", "c"):
        await cache.put(conversation, None)
    assert await cache.get("a") is Missing
    assert await cache.get("b") is None and await cache.get("c") is None
