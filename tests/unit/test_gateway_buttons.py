"""ButtonRegistry: opaque ids per conversation, bounded memory."""

from __future__ import annotations

import re

import pytest

from bot.gateway.buttons import ButtonRegistry, new_button_id

PAYLOAD = '/repair_reconnect{"account_id":"ue-main"}'


def test_ids_are_short_opaque_and_url_safe():
    ids = {new_button_id() for _ in range(1_000)}
    assert len(ids) == 1_000
    for button_id in ids:
        assert re.fullmatch(r"b_[A-Za-z0-9_-]{10}", button_id)
        assert len(button_id.encode()) <= 64  # Telegram callback_data


async def test_an_id_maps_back_to_its_payload_in_its_conversation_only():
    registry = ButtonRegistry()
    button_id = await registry.issue("web:1:aaaa", PAYLOAD)
    assert PAYLOAD not in button_id
    assert await registry.resolve("web:1:aaaa", button_id) == PAYLOAD
    assert await registry.resolve("web:1:aaaa", button_id) == PAYLOAD  # reusable
    assert await registry.resolve("web:2:bbbb", button_id) is None
    assert await registry.resolve("web:1:aaaa", "b_unknown000") is None
    assert await registry.resolve("web:1:aaaa", PAYLOAD) is None


async def test_ids_of_previous_turns_stay_valid_until_the_per_conversation_cap():
    registry = ButtonRegistry(per_conversation=3)
    ids = [await registry.issue("c", f"/p{n}") for n in range(4)]
    assert await registry.resolve("c", ids[0]) is None  # the oldest is forgotten
    assert [await registry.resolve("c", i) for i in ids[1:]] == ["/p1", "/p2", "/p3"]
    assert len(registry) == 3


async def test_least_recently_used_conversations_are_forgotten_first():
    registry = ButtonRegistry(max_conversations=2)
    a = await registry.issue("a", "/a")
    b = await registry.issue("b", "/b")
    assert await registry.resolve("a", a) == "/a"  # "a" is now the most recent
    await registry.issue("c", "/c")
    assert await registry.resolve("b", b) is None
    assert await registry.resolve("a", a) == "/a"


async def test_one_time_ids_resolve_once():
    registry = ButtonRegistry()
    button_id = await registry.issue("c", "/cancel_order", one_time=True)
    assert await registry.resolve("c", button_id) == "/cancel_order"
    assert await registry.resolve("c", button_id) is None


async def test_forget_drops_a_conversation():
    registry = ButtonRegistry()
    button_id = await registry.issue("c", "/x")
    await registry.forget("c")
    assert await registry.resolve("c", button_id) is None


@pytest.mark.parametrize("limits", [(0, 1), (1, 0)])
def test_limits_must_be_positive(limits):
    with pytest.raises(ValueError):
        ButtonRegistry(*limits)
