"""What reaches Rasa: button payloads only by opaque id, everything else as plain text."""

from __future__ import annotations

import pytest

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.inbound import MAX_MESSAGE_CHARS, neutralise, to_rasa_message


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("/status", "status"),
        ('/cancel_order{"order_id": "DD-1001"}', 'cancel_order{"order_id": "DD-1001"}'),
        ("//restart", "restart"),
        ("  /status", "status"),  # Rasa strips whitespace before looking for "/"
        ("\t/ \n/ /affirm ", "affirm"),
        ("\u00a0/affirm", "affirm"),  # non-breaking space is whitespace too
        ("\x00/affirm", "affirm"),  # control characters are dropped first
        ("where is my order?", "where is my order?"),
        ("it costs 10/20", "it costs 10/20"),  # only leading slashes matter
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_neutralise_leaves_no_leading_slash(typed, plain):
    assert neutralise(typed) == plain
    assert not neutralise(typed).strip().startswith("/")


@pytest.mark.parametrize("typed", ["", "   ", "/", "///", " / / ", "\x00\x01"])
def test_nothing_left_means_nothing_to_send(typed):
    assert neutralise(typed) is None


def test_long_text_is_capped():
    assert neutralise("a" * (MAX_MESSAGE_CHARS + 10)) == "a" * MAX_MESSAGE_CHARS
    assert neutralise("/" + "a" * MAX_MESSAGE_CHARS) == "a" * MAX_MESSAGE_CHARS


async def test_an_issued_id_becomes_its_payload_in_its_conversation_only():
    registry = ButtonRegistry()
    button_id = await registry.issue("web:1:aaaa", "/affirm")
    assert await to_rasa_message("web:1:aaaa", button_id, registry) == "/affirm"
    assert await to_rasa_message("web:1:aaaa", f" {button_id}\n", registry) == "/affirm"
    assert await to_rasa_message("web:2:bbbb", button_id, registry) == button_id
    assert await to_rasa_message("web:1:aaaa", "/affirm", registry) == "affirm"


@pytest.mark.parametrize("data", [None, 42, ["/affirm"], {"text": "hi"}])
async def test_non_text_is_ignored(data):
    assert await to_rasa_message("c", data, ButtonRegistry()) is None
