"""Replies to SMS choices: numbers map to the last turn's options, codes to one-time buttons."""

from __future__ import annotations

import re

import pytest

from bot.gateway.codes import find_code
from bot.gateway.sms_choices import RESERVED_WORDS, SmsChoices, build_offer, new_code

CONV = "sms:1:15550000001"


def test_numbers_map_to_the_buttons_without_side_effects_in_order():
    choices = SmsChoices()
    choices.offer(CONV, [("b_later", False), ("b_reconnect", True), ("b_support", False)])
    assert choices.resolve(CONV, "1") == "b_later"
    assert choices.resolve(CONV, " 2 ") == "b_support"
    assert choices.resolve(CONV, "3") is None  # the one-time button has no number
    assert choices.resolve(CONV, "0") is None


def test_a_code_maps_to_its_one_time_button_in_any_case():
    choices = SmsChoices()
    offer = choices.offer(CONV, [("b_reconnect", True), ("b_cancel", True)])
    code = offer.code_of("b_cancel")
    assert choices.resolve(CONV, code) == "b_cancel"
    assert choices.resolve(CONV, f"  {code.lower()}\n") == "b_cancel"
    assert choices.resolve(CONV, f"{code} please") is None


@pytest.mark.parametrize("blind", ["1", "YES", "yes", "y", "ok", "0", "confirm"])
def test_blind_replies_never_resolve_a_one_time_button(blind):
    choices = SmsChoices()
    choices.offer(CONV, [("b_cancel", True)])
    assert choices.resolve(CONV, blind) is None


def test_anything_else_is_text():
    choices = SmsChoices()
    choices.offer(CONV, [("b_later", False)])
    for text in ("1 please", "one", "status", "cancel DD-1001", "12", "-1", "1.5", ""):
        assert choices.resolve(CONV, text) is None, text


def test_a_new_turn_replaces_the_previous_options():
    choices = SmsChoices()
    old = choices.offer(CONV, [("b_old1", False), ("b_old2", False), ("b_oldcode", True)])
    choices.offer(CONV, [("b_new", False)])
    assert choices.resolve(CONV, "1") == "b_new"
    assert choices.resolve(CONV, "2") is None
    assert choices.resolve(CONV, old.code_of("b_oldcode")) is None
    choices.offer(CONV, [])
    assert choices.resolve(CONV, "1") is None


def test_conversations_are_separate():
    choices = SmsChoices()
    choices.offer(CONV, [("b_mine", False)])
    assert choices.resolve("sms:2:15550000003", "1") is None
    assert choices.resolve(CONV, "1") == "b_mine"


def test_memory_is_bounded_to_the_most_recently_used_conversations():
    choices = SmsChoices(max_conversations=2)
    choices.offer("sms:1:1", [("b_1", False)])
    choices.offer("sms:2:2", [("b_2", False)])
    assert choices.resolve("sms:1:1", "1") == "b_1"  # used: now the most recent
    choices.offer("sms:3:3", [("b_3", False)])
    assert len(choices) == 2
    assert choices.resolve("sms:2:2", "1") is None
    assert choices.resolve("sms:1:1", "1") == "b_1"
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
