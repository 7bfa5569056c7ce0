"""What an agent must never read in a handed-off conversation: passwords, 2FA and one-time
codes, tokens, card numbers — and what stays readable (orders, phones, times, prices)."""

from __future__ import annotations

import pytest

from bot.platform.services.redaction import REDACTED, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is hunter2", "my password is [redacted]"),
        ("Password: s3cr3t!", "Password: [redacted]"),
        ("password='two words' ok", "password='[redacted]' ok"),
        ("mon mot de passe est «Soleil 123»", "mon mot de passe est «[redacted]»"),
        ("mi contraseña es gato99", "mi contraseña es [redacted]"),
        ("mdp: azerty", "mdp: [redacted]"),
    ],
)
def test_passwords(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the code is 246810", "the code is [redacted]"),
        ("246810", REDACTED),
        ("here: 246 810", "here: [redacted]"),
        ("le code est 24-68-10", "le code est [redacted]"),
        ("código 1234", "código [redacted]"),
        ("my PIN 9876", "my PIN [redacted]"),
        ("the OTP is A7K9", "the OTP is [redacted]"),
        ("K7M2", REDACTED),  # an SMS confirmation code on its own
        ("sent 12345678 just now", "sent [redacted] just now"),
    ],
)
def test_two_factor_and_one_time_codes(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("token=abcdEFGH1234ijklMNOP5678", "token=[redacted]"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", REDACTED),
        (
            "http://127.0.0.1:8081/pair/Xy3_kLmN0pQrStUvWxYz12345",
            "http://127.0.0.1:8081/pair/[redacted]",
        ),
        ("api key sk_live_51Habc", "api key [redacted]"),
    ],
)
def test_tokens(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "card", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005"]
)
def test_card_like_numbers(card):
    assert redact(f"card {card} exp 12/29") == "card [redacted] exp 12/29"


@pytest.mark.parametrize(
    "text",
    [
        "cancel DD-1001 please",
        "DD-1001",
        "why was F-7002 not sent?",
        "call me at +15550000001 or 555-000-0001",
        "it's 08:00 and the order has 3 items for $12.50",
        "Uber Eats — main, Downtown / Burger Barn",
        "I forgot my password",
        "the postal code 75001",
        "ubereats@demo-kitchen.test",
        "",
    ],
)
def test_ordinary_text_stays_readable(text):
    assert redact(text) == text


def test_several_secrets_in_one_message():
    text = "password hunter2, code 246810, card 4242 4242 4242 4242"
    assert redact(text) == "password [redacted], code [redacted], card [redacted]"
    assert redact(redact(text)) == redact(text)  # redacting twice changes nothing more
