"""Which typed texts the gateway treats as a 2FA/MFA code (docs/repair-contract.md)."""

from __future__ import annotations

import pytest

from bot.gateway.codes import find_code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("246810", "246810"),
        ("1234", "1234"),
        ("12345678", "12345678"),
        ("246 810", "246810"),
        ("246-810", "246810"),
        ("24 68 10", "246810"),
        ("my code: 246 810", "246810"),
        ("the code is 246810", "246810"),
        ("Code 246810.", "246810"),
        ("(246810)", "246810"),
        ("  246810\n", "246810"),
        ("c'est 135 790 !", "135790"),
        ("246810 thanks", "246810"),
        ("12 34 5", "12345"),
    ],
)
def test_codes_are_found_and_normalised_to_digits(typed, code):
    assert find_code(typed) == code


@pytest.mark.parametrize(
    "typed",
    [
        "DD-1001",  # an order id: letters glued by a dash
        "cancel order DD-1001",
        "UE1234",
        "A1234",
        "1234a",
        "123",  # too short
        "123456789",  # too long
        "+1 555 123 4567",  # a phone number is one longer run
        "555-123-4567",
        "246  810",  # two separators in a row: two short runs
        "246--810",
        "12:30",
        "12.50 €",
        "what's broken?",
        "",
        "b_x123456789",  # a button id shape
        "٢٤٦٨١٠",  # non-ASCII digits
    ],
)
def test_other_texts_are_not_codes(typed):
    assert find_code(typed) is None


def test_the_first_of_several_runs_is_taken():
    assert find_code("246810 or maybe 135790") == "246810"
