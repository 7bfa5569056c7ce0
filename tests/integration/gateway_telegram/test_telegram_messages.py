"""Messages of linked Telegram users: plain text, inline keyboards and their presses, one
processing per update, group chats, long replies, and conversations that continue by
themselves.

(The gateway, its platform, Rasa's stand-in and the fake Bot API: ``stack.py``,
``conftest.py``.)
"""

from __future__ import annotations

import asyncio
import logging

from bot.devtools.telegram_updates import (
    callback_update,
    next_update_id,
    text_update,
)
from tests.integration.conftest import INTERNAL_TOKEN
from tests.integration.gateway_telegram.stack import (
    MARC,
    MARC_TG,
    OLIVIA,
    OLIVIA_TG,
    RECONNECT,
    conversation,
)

# --- messages of linked users ----------------------------------------------------------


async def test_typed_commands_reach_rasa_as_plain_text(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.say(OLIVIA_TG, '/cancel_order_confirm{"order_id":"DD-1001"}')
    await gw.sent(OLIVIA_TG, lambda text: text.startswith("echo: cancel_order_confirm"))
    assert gw.rasa.messages() == ['cancel_order_confirm{"order_id":"DD-1001"}']
    assert gw.rasa.received[0]["identity"].confirmed is False


async def test_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.say(OLIVIA_TG, "buttons please")
    shown = await gw.sent(OLIVIA_TG, lambda text: text == "Uber Eats — main is down.")

    rows = shown["reply_markup"]["inline_keyboard"]
    keys = {button["text"]: button["callback_data"] for row in rows for button in row}
    assert list(keys) == ["Reconnect Uber Eats — main", "I'll do this later"]
    assert all(data.startswith("b_") and len(data.encode()) <= 64 for data in keys.values())

    press = callback_update(None, keys["Reconnect Uber Eats — main"], from_id=OLIVIA_TG)
    await gw.post(press)
    await gw.sent(OLIVIA_TG, lambda text: text == f"echo: {RECONNECT}")

    answered = gw.telegram.calls("answerCallbackQuery")
    assert [c["params"]["callback_query_id"] for c in answered] == [press["callback_query"]["id"]]
    last = gw.rasa.received[-1]
    assert last["message"] == RECONNECT
    assert last["identity"].confirmed is True  # a one-time button the gateway issued
    assert last["sender"] == conversation(gw, OLIVIA, OLIVIA_TG)


async def test_a_button_id_from_another_chat_is_only_plain_text(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.link(MARC, MARC_TG)
    await gw.say(OLIVIA_TG, "buttons please")
    shown = await gw.sent(OLIVIA_TG, lambda text: text == "Uber Eats — main is down.")
    olivias_id = shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    # Marc's client sends Olivia's button id as callback data of his own chat
    stolen = callback_update(None, olivias_id, from_id=MARC_TG, language_code="fr")
    await gw.post(stolen)
    await gw.sent(MARC_TG, lambda text: text == f"echo: {olivias_id}")

    marcs = gw.rasa.messages(conversation(gw, MARC, MARC_TG))
    assert marcs == [olivias_id]  # plain text, never the payload
    assert RECONNECT not in gw.rasa.messages()
    assert any(
        c["params"]["callback_query_id"] == stolen["callback_query"]["id"]
        for c in gw.telegram.calls("answerCallbackQuery")
    )
    # Olivia's button still works for Olivia
    await gw.post(callback_update(None, olivias_id, from_id=OLIVIA_TG))
    await gw.sent(OLIVIA_TG, lambda text: text == f"echo: {RECONNECT}")


async def test_the_same_update_twice_is_processed_once(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    update = text_update(next_update_id(), "is DoorDash ok?", from_id=OLIVIA_TG)

    first, again = await gw.post(update), await gw.post(update)
    await gw.say(OLIVIA_TG, "and Glovo?")
    await gw.sent(OLIVIA_TG, lambda text: text == "echo: and Glovo?")

    assert (first.status_code, again.status_code) == (200, 200)
    assert gw.rasa.messages() == ["is DoorDash ok?", "and Glovo?"]


async def test_a_group_chat_gets_a_note_and_nothing_else(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    group = -100_123_456
    for text in ("status", "/start"):
        await gw.post(
            text_update(None, text, from_id=OLIVIA_TG, chat_id=group, chat_type="supergroup")
        )
    await gw.sent(group, lambda text: "private chat" in text)
    await gw.say(OLIVIA_TG, "done")
    await gw.sent(OLIVIA_TG, lambda text: text == "echo: done")
    assert len(gw.texts_to(group)) == 1
    assert gw.rasa.messages() == ["done"]


async def test_a_long_reply_is_split_with_its_links_whole(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    gw.telegram.clear()
    await gw.say(OLIVIA_TG, "long please")
    await gw.count_sent(OLIVIA_TG, 3)

    parts = gw.to_chat(OLIVIA_TG)
    assert len(parts) == 3
    assert all(len(p["text"]) <= 4096 for p in parts)
    links = [w for p in parts for w in p["text"].split() if w.startswith("https://")]
    assert len(links) == 150 and all(w.endswith("?t=abcdef0123456789") for w in links)
    assert ["reply_markup" in p for p in parts] == [False, False, True]


# --- conversations that continue by themselves ----------------------------------------


async def test_a_continuation_reaches_the_linked_chat_only(gw, caplog):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.link(MARC, MARC_TG)
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    body = {
        "user_id": gw.user_ids[OLIVIA],
        "channel": "telegram",
        "intent": "repair_pairing_update",
        "entities": {"pairing_event": "succeeded"},
    }
    caplog.set_level(logging.WARNING, logger="bot.gateway.channels.telegram_updates")

    # a conversation id naming Olivia in Marc's chat: never delivered there
    forged = {**body, "conversation_id": conversation(gw, OLIVIA, MARC_TG)}
    assert (
        await gw.client.post("/internal/conversations/continue", json=forged, headers=headers)
    ).status_code == 202
    for _ in range(500):
        if "chat not linked to user" in caplog.text:
            break
        await asyncio.sleep(0.01)
    assert "chat not linked to user" in caplog.text

    real = {**body, "conversation_id": conversation(gw, OLIVIA, OLIVIA_TG)}
    assert (
        await gw.client.post("/internal/conversations/continue", json=real, headers=headers)
    ).status_code == 202
    await gw.sent(OLIVIA_TG, lambda text: text == "update: succeeded")
    assert not any(text.startswith("update:") for text in gw.texts_to(MARC_TG))


async def test_a_continuation_and_a_user_message_at_once_both_arrive(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    body = {
        "conversation_id": conversation(gw, OLIVIA, OLIVIA_TG),
        "user_id": gw.user_ids[OLIVIA],
        "channel": "telegram",
        "intent": "repair_pairing_update",
        "entities": {"pairing_event": "slow"},
    }
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    response = await gw.client.post("/internal/conversations/continue", json=body, headers=headers)
    assert response.status_code == 202
    await asyncio.wait_for(gw.rasa.trigger_started.wait(), 10)
    await gw.say(OLIVIA_TG, "meanwhile")  # waits for the conversation, then goes on

    await gw.sent(OLIVIA_TG, lambda text: text == "echo: meanwhile")
    texts = gw.texts_to(OLIVIA_TG)
    assert texts.index("update: slow") < texts.index("echo: meanwhile")
