"""Rasa's messages → channel-neutral BotReply → the web chat's bot_uttered payload."""

from __future__ import annotations

import pytest

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.inbound import to_rasa_message
from bot.gateway.rendering import BotReply, Button, from_rasa, is_one_time, payload_intent, to_web

RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'


async def test_text_and_buttons_become_replies_with_opaque_ids():
    registry = ButtonRegistry()
    replies = await from_rasa(
        [
            {"recipient_id": "c", "text": "Hello"},
            {
                "recipient_id": "c",
                "text": "Reconnect?",
                "buttons": [
                    {"title": "Yes", "payload": RECONNECT},
                    {"title": "No", "payload": "/deny"},
                ],
            },
        ],
        "c",
        registry,
    )
    assert replies[0] == BotReply("Hello")
    assert [b.title for b in replies[1].buttons] == ["Yes", "No"]
    assert [await registry.resolve("c", b.button_id) for b in replies[1].buttons] == [
        RECONNECT,
        "/deny",
    ]


async def test_images_custom_and_malformed_messages_are_skipped():
    registry = ButtonRegistry()
    replies = await from_rasa(
        [
            {"recipient_id": "c", "image": "https://example.test/a.png"},
            {"recipient_id": "c", "custom": {"kind": "card"}},
            "not an object",
            {"recipient_id": "c", "text": None},
            {"recipient_id": "c", "text": "kept", "image": "https://example.test/b.png"},
        ],
        "c",
        registry,
    )
    assert replies == [BotReply("kept")]
    assert len(registry) == 0


async def test_buttons_without_payload_are_skipped_and_missing_titles_fall_back():
    registry = ButtonRegistry()
    (reply,) = await from_rasa(
        [
            {
                "text": "",
                "buttons": [
                    {"title": "Docs", "url": "https://example.test", "type": "web_url"},
                    {"payload": "/affirm"},
                    "junk",
                ],
            }
        ],
        "c",
        registry,
    )
    assert reply.text == "" and [b.title for b in reply.buttons] == ["/affirm"]


def test_web_payload_is_rasas_socketio_format():
    assert to_web(BotReply("Hi")) == {"text": "Hi"}
    reply = BotReply("Pick", (Button("Yes", "b_0123456789"), Button("No", "b_abcdefghij")))
    assert to_web(reply) == {
        "text": "Pick",
        "quick_replies": [
            {"content_type": "text", "title": "Yes", "payload": "b_0123456789"},
            {"content_type": "text", "title": "No", "payload": "b_abcdefghij"},
        ],
    }


@pytest.mark.parametrize(
    ("payload", "one_time"),
    [
        (RECONNECT, True),
        ('/repair_steps_done{"account_id":"dr-river"}', True),
        ('/repair_notify_managers{"account_id":"ue-main"}', True),
        ("/repair_reconnect", True),
        ('/repair_later{"account_id":"dr-river"}', False),
        ("/contact_support", False),
        ("/affirm", False),
        ("repair_reconnect", False),  # not an intent payload
    ],
)
async def test_side_effect_buttons_get_one_time_ids(payload, one_time):
    assert is_one_time(payload) is one_time
    registry = ButtonRegistry()
    (reply,) = await from_rasa(
        [{"text": "?", "buttons": [{"title": "Go", "payload": payload}]}], "c", registry
    )
    button_id = reply.buttons[0].button_id
    assert await registry.resolve("c", button_id) == payload
    assert await registry.resolve("c", button_id) == (None if one_time else payload)


def test_payload_intent():
    assert payload_intent(RECONNECT) == "repair_reconnect"
    assert payload_intent("/greet") == "greet"
    assert payload_intent("hello") is None
    assert payload_intent("/") is None
    assert payload_intent("/{}") is None


async def test_a_one_time_id_used_twice_never_reaches_rasa():
    registry = ButtonRegistry()
    (reply,) = await from_rasa(
        [{"text": "?", "buttons": [{"title": "Go", "payload": RECONNECT}]}], "c", registry
    )
    button_id = reply.buttons[0].button_id
    assert await to_rasa_message("c", button_id, registry) == RECONNECT
    assert await to_rasa_message("c", button_id, registry) is None
    assert await registry.used_up("c", button_id) and not await registry.used_up("other", button_id)
