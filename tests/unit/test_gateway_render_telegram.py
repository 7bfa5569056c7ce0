"""Telegram rendering: inline keyboards with opaque ids, long texts split without cutting links."""

from __future__ import annotations

import re

import pytest

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.render_telegram import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_TEXT_UNITS,
    split_text,
    telegram_length,
    to_telegram,
)
from bot.gateway.rendering import BotReply, Button, from_rasa

CONVERSATION = "telegram:1:424242"
URL = re.compile(r"https?://\S+")

BUTTONS = {
    "en": [
        ("Reconnect Uber Eats — main", '/repair_reconnect{"account_id":"ue-main"}'),
        ("I'll do this later", '/repair_later{"account_id":"ue-main"}'),
        ("Yes", "/affirm"),
        ("No", "/deny"),
    ],
    "fr": [
        ("Reconnecter Uber Eats — main", '/repair_reconnect{"account_id":"ue-main"}'),
        ("Je le ferai plus tard", '/repair_later{"account_id":"ue-main"}'),
        ("Oui", "/affirm"),
        ("Non", "/deny"),
    ],
    "es": [
        ("Reconectar Uber Eats — main", '/repair_reconnect{"account_id":"ue-main"}'),
        ("Lo haré más tarde", '/repair_later{"account_id":"ue-main"}'),
        ("Sí", "/affirm"),
        ("No", "/deny"),
    ],
}


def rasa_reply(language: str) -> list[dict]:
    buttons = [{"title": title, "payload": payload} for title, payload in BUTTONS[language]]
    return [{"recipient_id": CONVERSATION, "text": "Uber Eats — main", "buttons": buttons}]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
async def test_buttons_become_an_inline_keyboard_of_opaque_ids(language):
    registry = ButtonRegistry()
    [reply] = await from_rasa(rasa_reply(language), CONVERSATION, registry)

    [message] = to_telegram(reply)

    assert message.text == "Uber Eats — main"
    rows = message.keyboard.inline_keyboard
    titles = [button.text for row in rows for button in row]
    assert titles == [title for title, _ in BUTTONS[language]]
    # long titles alone on their row; the two short ones share one
    assert [len(row) for row in rows] == [1, 1, 2]
    for row in rows:
        for button in row:
            data = button.callback_data
            assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
            assert not data.startswith("/") and "{" not in data
            assert await registry.resolve(CONVERSATION, data) in dict(BUTTONS[language]).values()
            assert await registry.resolve("telegram:2:777", data) is None


def test_a_reply_without_buttons_has_no_keyboard():
    [message] = to_telegram(BotReply(text="All your integrations are working."))
    assert message.keyboard is None


def test_buttons_without_text_still_make_a_message():
    [message] = to_telegram(BotReply(text="", buttons=(Button("Yes", "b_aaaaaaaaaa"),)))
    assert message.text.strip() and message.keyboard is not None


def test_an_id_too_long_for_callback_data_is_left_out():
    reply = BotReply(
        text="Choose:", buttons=(Button("Yes", "b_" + "x" * 70), Button("No", "b_bbbbbbbbbb"))
    )
    [message] = to_telegram(reply)
    assert [b.text for row in message.keyboard.inline_keyboard for b in row] == ["No"]


def test_empty_reply_sends_nothing():
    assert to_telegram(BotReply(text="  ")) == []


@pytest.mark.parametrize(
    "line",
    [
        "Store Downtown / Burger Barn is disconnected: reconnect it at "
        "https://platform.example/pair/{i:04d}?token=abcdef0123456789 — it works once.",
        "Le magasin Downtown / Burger Barn est déconnecté : reconnectez-le sur "
        "https://platform.example/pair/{i:04d}?token=abcdef0123456789 — une seule fois.",
        "La tienda Downtown / Burger Barn está desconectada: reconéctela en "
        "https://platform.example/pair/{i:04d}?token=abcdef0123456789 — una sola vez. 🍔",
    ],
    ids=["en", "fr", "es-emoji"],
)
def test_long_text_is_split_under_the_limit_with_every_link_whole(line):
    lines = [line.format(i=i) for i in range(120)]
    text = "\n".join(lines)
    assert telegram_length(text) > 2 * MAX_TEXT_UNITS
    buttons = (Button("Reconnect", "b_cccccccccc"),)

    messages = to_telegram(BotReply(text=text, buttons=buttons))

    assert len(messages) >= 3
    assert all(telegram_length(m.text) <= MAX_TEXT_UNITS for m in messages)
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]
    links = [link for m in messages for link in URL.findall(m.text)]
    assert links == URL.findall(text)
    assert "\n".join(m.text for m in messages) == text  # split between lines, nothing lost


def test_a_link_straddling_the_limit_moves_whole_to_the_next_part():
    link = "https://p.example/pair/abc123"
    text = "x" * 30 + " see " + link + " now"
    parts = split_text(text, limit=50)
    assert any(link in part for part in parts)
    assert all(telegram_length(part) <= 50 for part in parts)


def test_a_single_word_longer_than_the_limit_is_cut():
    parts = split_text("y" * 120, limit=50)
    assert [len(p) for p in parts] == [50, 50, 20]


def test_emoji_count_twice_toward_the_limit():
    parts = split_text("🍔" * 30, limit=50)
    assert all(telegram_length(part) <= 50 for part in parts)
    assert "".join(parts) == "🍔" * 30
