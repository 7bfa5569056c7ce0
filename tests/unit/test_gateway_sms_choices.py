"""Replies to SMS choices: numbers map to the last turn's options, codes to one-time buttons."""

from __future__ import annotations

import re

import pytest

from bot.gateway.codes import find_code
from bot.gateway.sms_choices import RESERVED_WORDS, SmsChoices, build_offer, new_code

CONV = "sms:1:15550000001"


async def test_numbers_map_to_the_buttons_without_side_effects_in_order():
    choices = SmsChoices()
    await choices.offer(CONV, [("b_later", False), ("b_reconnect", True), ("b_support", False)])
    assert await choices.resolve(CONV, "1") == "b_later"
    assert await choices.resolve(CONV, " 2 ") == "b_support"
    assert await choices.resolve(CONV, "3") is None  # the one-time button has no number
    assert await choices.resolve(CONV, "0") is None


async def test_a_code_maps_to_its_one_time_button_in_any_case():
    choices = SmsChoices()
    offer = await choices.offer(CONV, [("b_reconnect", True), ("b_cancel", True)])
    code = offer.code_of("b_cancel")
    assert await choices.resolve(CONV, code) == "b_cancel"
    assert await choices.resolve(CONV, f"  {code.lower()}\n") == "b_cancel"
    assert await choices.resolve(CONV, f"{code} please") is None


@pytest.mark.parametrize("blind", ["1", "YES", "yes", "y", "ok", "0", "confirm"])
async def test_blind_replies_never_resolve_a_one_time_button(blind):
    choices = SmsChoices()
    await choices.offer(CONV, [("b_cancel", True)])
    assert await choices.resolve(CONV, blind) is None


async def test_anything_else_is_text():
    choices = SmsChoices()
    await choices.offer(CONV, [("b_later", False)])
    for text in ("1 please", "one", "status", "cancel DD-1001", "12", "-1", "1.5", ""):
        assert await choices.resolve(CONV, text) is None, text


async def test_a_new_turn_replaces_the_previous_options():
    choices = SmsChoices()
    old = await choices.offer(CONV, [("b_old1", False), ("b_old2", False), ("b_oldcode", True)])
    await choices.offer(CONV, [("b_new", False)])
    assert await choices.resolve(CONV, "1") == "b_new"
    assert await choices.resolve(CONV, "2") is None
    assert await choices.resolve(CONV, old.code_of("b_oldcode")) is None
    await choices.offer(CONV, [])
    assert await choices.resolve(CONV, "1") is None


async def test_conversations_are_separate():
    choices = SmsChoices()
    await choices.offer(CONV, [("b_mine", False)])
    assert await choices.resolve("sms:2:15550000003", "1") is None
    assert await choices.resolve(CONV, "1") == "b_mine"


async def test_memory_is_bounded_to_the_most_recently_used_conversations():
    choices = SmsChoices(max_conversations=2)
    await choices.offer("sms:1:1", [("b_1", False)])
    await choices.offer("sms:2:2", [("b_2", False)])
    assert await choices.resolve("sms:1:1", "1") == "b_1"  # used: now the most recent
    await choices.offer("sms:3:3", [("b_3", False)])
    assert len(choices) == 2
    assert await choices.resolve("sms:2:2", "1") is None
    assert await choices.resolve("sms:1:1", "1") == "b_1"
    with pytest.raises(ValueError):
        SmsChoices(max_conversations=0)


def test_codes_are_short_never_numbers_never_2fa_codes_never_keywords():
    codes = [new_code() for _ in range(2_000)]
    for code in codes:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}", code), code
        assert any(c.isalpha() for c in code)
        assert find_code(code) is None and find_code(code.lower()) is None
        assert code not in RESERVED_WORDS
    assert len(set(codes)) > 1_900  # random


def test_codes_are_unique_within_a_turn():
    offer = build_offer([(f"b_{i}", True) for i in range(50)])
    assert len(offer.codes) == 50
    assert new_code(taken=offer.codes) not in offer.codes
