"""Conversation ids the gateway names, and per-conversation ordering."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.gateway.conversations import (
    ConversationLocks,
    ConversationRef,
    continued_conversation_id,
    new_conversation_id,
    parse_conversation_id,
)


def test_new_ids_name_channel_user_and_a_random_session():
    first, second = new_conversation_id("web", 7), new_conversation_id("web", 7)
    assert re.fullmatch(r"web:7:[0-9a-f]{16}", first) and first != second


@pytest.mark.parametrize(
    ("requested", "continued"),
    [
        ("web:7:0123456789abcdef", True),
        ("web:8:0123456789abcdef", False),  # another user's
        ("web:77:0123456789abcdef", False),
        ("telegram:7:0123456789abcdef", False),
        ("web:7:0123456789ABCDEF", False),
        ("web:7:0123456789abcdef0", False),
        ("web:7:0123456789abcdef\n", False),
        ("web:7:", False),
        (None, False),
        (7, False),
    ],
)
def test_only_own_well_formed_ids_are_continued(requested, continued):
    expected = requested if continued else None
    assert continued_conversation_id(requested, "web", 7) == expected


async def test_locks_serialise_a_conversation_and_are_released():
    locks = ConversationLocks()
    order: list[str] = []

    async def turn(conversation: str, name: str, delay: float) -> None:
        async with locks.hold(conversation):
            order.append(f"{name} start")
            await asyncio.sleep(delay)
            order.append(f"{name} end")

    await asyncio.gather(turn("a", "a1", 0.03), turn("a", "a2", 0.0), turn("b", "b1", 0.01))
    assert order.index("a1 end") < order.index("a2 start")
    assert order.index("b1 start") < order.index("a1 end")  # other conversations run alongside
    assert len(locks) == 0


async def test_lock_is_released_when_a_turn_fails():
    locks = ConversationLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("a"):
            raise RuntimeError("boom")
    assert len(locks) == 0
    async with locks.hold("a"):
        pass


@pytest.mark.parametrize(
    ("conversation_id", "parsed"),
    [
        ("web:7:0123456789abcdef", ConversationRef("web", 7)),
        ("telegram:42:0123456789abcdef", ConversationRef("telegram", 42)),
        ("sms:3:a1B2-c3_d4.e5", ConversationRef("sms", 3)),
        ("web:7", None),
        ("web::0123456789abcdef", None),
        ("web:07:0123456789abcdef", None),
        ("web:-7:0123456789abcdef", None),
        ("web:7:0123:4567", None),
        ("Web:7:0123456789abcdef", None),
        ("web:7:../../x", None),
        ("web:7:" + "a" * 300, None),
        ("", None),
        (7, None),
        (None, None),
    ],
)
def test_conversation_ids_are_parsed_for_any_channel(conversation_id, parsed):
    assert parse_conversation_id(conversation_id) == parsed


def test_new_ids_parse_back_to_their_channel_and_user():
    assert parse_conversation_id(new_conversation_id("web", 12)) == ConversationRef("web", 12)
