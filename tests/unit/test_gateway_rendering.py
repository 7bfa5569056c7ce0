"""Rasa's messages → channel-neutral BotReply → the web chat's bot_uttered payload."""

from __future__ import annotations

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.rendering import BotReply, Button, from_rasa, to_web

RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'


def test_text_and_buttons_become_replies_with_opaque_ids():
    registry = ButtonRegistry()
    replies = from_rasa(
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
    assert [registry.resolve("c", b.button_id) for b in replies[1].buttons] == [RECONNECT, "/deny"]


def test_images_custom_and_malformed_messages_are_skipped():
    registry = ButtonRegistry()
    replies = from_rasa(
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


def test_buttons_without_payload_are_skipped_and_missing_titles_fall_back():
    registry = ButtonRegistry()
    (reply,) = from_rasa(
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
