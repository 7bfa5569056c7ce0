"""One scenario on every channel — status, then reconnect DoorDash with a 2FA code — and
forged webhooks on Telegram and SMS, rejected before Rasa (the tracker store never sees
them).

Web: the socket.io widget protocol. Telegram: updates POSTed to the gateway's webhook,
replies read from the local Bot API stand-in. SMS: signed Twilio webhooks, replies read
from the local Twilio REST stand-in. The pairing page is posted like the browser does.
"""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.sms_webhook import sign, webhook_params
from bot.devtools.telegram_updates import text_update
from bot.launcher import Stack
from tests.e2e.channel_fixtures import TELEGRAM_SECRET, TWILIO_AUTH_TOKEN, TWILIO_SID
from tests.e2e.repair_support import LINK, link_in, post_credentials
from tests.e2e.store_text import tracker_event_data
from tests.e2e.test_sms import OLIVIA as OLIVIA_PHONE
from tests.e2e.test_sms import Texter, confirm_codes
from tests.e2e.test_telegram import TelegramChat, demo_link_code, keys, texts

pytestmark = pytest.mark.usefixtures("fresh_demo")

OLIVIA_TG = 6_200_001
DOORDASH_LOGIN = "doordash@demo-kitchen.test"
RECONNECT = "Reconnect DoorDash — main"
SAMPLE_CODE = "246810"  # what the sandbox "sends" (DEMO.md)


def pairing_link(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no pairing link in: {text}"
    return found.group(0).rstrip(".,)")


def sign_in_on_the_page(url: str) -> None:
    page = post_credentials(url, DOORDASH_LOGIN, "demo-password")
    assert page.step, page.html  # DoorDash asks for a 2FA code next


async def test_web(chat) -> None:
    olivia = await chat("olivia")
    status = await olivia.say("which of my stores are disconnected?")
    assert "DoorDash — main" in status.text and RECONNECT in status.button_titles
    turn = await olivia.click(status, RECONNECT)
    sign_in_on_the_page(link_in(turn))
    asked = await olivia.next_turn()  # the conversation goes on by itself
    assert "code" in asked.text
    done = await olivia.say(SAMPLE_CODE)
    assert "Downtown / Burger Barn" in done.text and "Downtown / Taco Town" in done.text
    again = await olivia.say("which of my stores are disconnected?")
    assert RECONNECT not in again.button_titles


async def test_telegram(stack: Stack, fake_telegram: FakeTelegramServer, user_ids) -> None:
    olivia = TelegramChat(stack, fake_telegram, OLIVIA_TG, "en")
    await olivia.say((await demo_link_code(stack, user_ids["olivia"]))["command"])
    await olivia.wait_until(lambda ms: any("Welcome, Olivia" in m["text"] for m in ms))

    await olivia.say("which of my stores are disconnected?")
    status = await olivia.wait_until(lambda ms: RECONNECT in keys(ms))
    assert "DoorDash — main" in texts(status)

    mark = len(olivia.received())
    await olivia.press(keys(status)[RECONNECT])
    sent = await olivia.wait_until(lambda ms: LINK.search(texts(ms[mark:])) is not None)
    sign_in_on_the_page(pairing_link(texts(sent[mark:])))

    mark = len(sent)
    await olivia.wait_until(lambda ms: "code" in texts(ms[mark:]))  # goes on by itself
    await olivia.say(SAMPLE_CODE)
    done = await olivia.wait_until(lambda ms: "Downtown / Taco Town" in texts(ms[mark:]))
    assert "Downtown / Burger Barn" in texts(done[mark:])

    mark = len(done)
    await olivia.say("which of my stores are disconnected?")
    again = await olivia.wait_until(lambda ms: "Reconnect Uber Eats — main" in keys(ms[mark:]))
    assert RECONNECT not in keys(again[mark:])


async def test_sms(stack: Stack, fake_twilio: FakeTwilioServer) -> None:
    olivia = Texter(stack, fake_twilio, OLIVIA_PHONE)
    status = await olivia.say("which of my stores are disconnected?")
    code = confirm_codes(status)[RECONNECT]  # a side effect: a code to type, never a number
    turn = await olivia.say(code)
    url = pairing_link(turn)

    before = len(fake_twilio.messages(to=OLIVIA_PHONE))
    sign_in_on_the_page(url)
    sent = await asyncio.to_thread(fake_twilio.wait_for_messages, OLIVIA_PHONE, before + 1, 60)
    assert "code" in sent[before]["body"]  # the conversation goes on by itself, by SMS

    done = await olivia.say(SAMPLE_CODE)
    assert "Downtown / Burger Barn" in done and "Downtown / Taco Town" in done
    again = await olivia.say("which of my stores are disconnected?")
    assert RECONNECT not in confirm_codes(again) and "Uber Eats — main" in again


def tracker_text(stack: Stack) -> str:
    """Every text value of Rasa's tracker store for this stack (either profile)."""
    return tracker_event_data(stack)


async def test_forged_webhooks_never_reach_rasa(
    stack: Stack, fake_telegram: FakeTelegramServer, fake_twilio: FakeTwilioServer, user_ids
) -> None:
    # Olivia is linked on Telegram and her number is known: only the forgery is wrong.
    olivia_tg = TelegramChat(stack, fake_telegram, OLIVIA_TG, "en")
    await olivia_tg.say((await demo_link_code(stack, user_ids["olivia"]))["command"])
    await olivia_tg.wait_until(lambda ms: any("Welcome, Olivia" in m["text"] for m in ms))
    marker = "forged-" + secrets.token_hex(6)

    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        update = text_update(None, f"cancel DD-1001 {marker}", from_id=OLIVIA_TG)
        for headers in (
            {},
            {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"},
            {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET + "x"},
        ):
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status_code == 403

        params = webhook_params(
            OLIVIA_PHONE, f"cancel DD-1001 {marker}", "+15550001000", TWILIO_SID
        )
        texter = Texter(stack, fake_twilio, OLIVIA_PHONE)
        url = texter.public_url.rstrip("/") + "/sms/webhook"
        for headers in (
            {},
            {"X-Twilio-Signature": "bm90LWEtc2lnbmF0dXJl"},
            {"X-Twilio-Signature": sign(url, params, "not-our-auth-token")},
            {"X-Twilio-Signature": sign(url + "?x=1", params, TWILIO_AUTH_TOKEN)},
        ):
            response = await client.post("/sms/webhook", data=params, headers=headers)
            assert response.status_code == 403

    # Fences: a real message on each channel is answered, so the forgeries had their chance.
    await olivia_tg.say("are my integrations ok?")
    await olivia_tg.wait_until(lambda ms: "Reconnect DoorDash — main" in keys(ms))
    await texter.say("are my integrations ok?")

    assert "are my integrations ok?" in tracker_text(stack)
    assert marker not in tracker_text(stack)
