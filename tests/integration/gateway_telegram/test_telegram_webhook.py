"""The Telegram webhook and its modes: the secret token, unlinked chats, the demo
dashboard's "Link Telegram", polling, and the webhook setup helper.

(The gateway, its platform, Rasa's stand-in and the fake Bot API: ``stack.py``,
``conftest.py``.)
"""

from __future__ import annotations

import asyncio

import pytest

from bot.devtools.telegram_updates import (
    callback_update,
    text_update,
)
from bot.gateway.channels import telegram_setup
from tests.integration.conftest import make_settings
from tests.integration.gateway_telegram.stack import (
    HELP_WORDS,
    OLIVIA,
    OLIVIA_TG,
    ORGANIZATION_WORDS,
    SECRET,
    STRANGER_TG,
    TOKEN,
)

# --- the webhook's secret token ------------------------------------------------------


@pytest.mark.parametrize(
    "secret", [None, "", "wrong-secret", SECRET + "x"], ids=["missing", "empty", "wrong", "longer"]
)
async def test_a_missing_or_forged_secret_is_refused_and_nothing_is_processed(gw, secret):
    update = text_update(None, "status", from_id=STRANGER_TG)

    response = await gw.post(update, secret=secret)

    assert response.status_code == 403
    assert [c["method"] for c in gw.telegram.calls()] == ["getMe"]  # the bot's startup only
    assert gw.rasa.received == []
    # the update was not even recorded as received: Telegram's real delivery goes through
    assert (await gw.post(update)).status_code == 200
    await gw.sent(STRANGER_TG, lambda text: "not linked" in text)


async def test_without_a_configured_secret_every_update_is_refused(open_gateway):
    async with open_gateway(telegram_webhook_secret="") as gw:
        for secret in (None, ""):
            response = await gw.post(text_update(None, "status", from_id=STRANGER_TG), secret)
            assert response.status_code == 403
        assert gw.telegram.calls("sendMessage") == []


async def test_a_body_that_is_no_update_is_a_bad_request(gw):
    response = await gw.client.post(
        "/telegram/webhook",
        content=b"[1, 2",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 400
    assert gw.rasa.received == []


# --- unlinked chats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language_code", "language"), [("en", "en"), ("fr-CA", "fr"), ("es", "es"), ("de", "en")]
)
async def test_an_unlinked_chat_gets_help_and_nothing_of_any_organization(
    gw, language_code, language
):
    for text in ("which stores are disconnected?", "/start", '/cancel_order{"order_id":"DD-1001"}'):
        update = text_update(None, text, from_id=STRANGER_TG, language_code=language_code)
        assert (await gw.post(update)).status_code == 200
    await gw.count_sent(STRANGER_TG, 3)

    helps = gw.texts_to(STRANGER_TG)
    assert len(helps) == 3
    for help_text in helps:
        assert HELP_WORDS[language] in help_text and "/start" in help_text
        assert not any(word in help_text for word in ORGANIZATION_WORDS)
    markup = gw.telegram.calls("sendMessage")[0]["params"]["reply_markup"]
    assert markup["keyboard"][0][0]["request_contact"] is True  # "share my phone number"
    assert gw.rasa.received == []


async def test_a_button_press_in_an_unlinked_chat_is_answered_with_help(gw):
    update = callback_update(None, "b_aaaaaaaaaa", from_id=STRANGER_TG)
    assert (await gw.post(update)).status_code == 200

    await gw.sent(STRANGER_TG, lambda text: "not linked" in text)
    answered = gw.telegram.calls("answerCallbackQuery")
    assert [c["params"]["callback_query_id"] for c in answered] == [update["callback_query"]["id"]]
    assert gw.rasa.received == []


# --- demo dashboard, polling -----------------------------------------------------------


async def test_the_dashboard_offers_link_telegram_under_its_csp(gw):
    page = await gw.client.get("/")
    assert page.status_code == 200
    assert "Link Telegram" in page.text and "/static/telegram_link.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = await gw.client.get("/static/telegram_link.js")
    assert script.status_code == 200 and "/demo/telegram-link" in script.text


async def test_the_demo_link_route_is_only_for_demo_users_in_demo_mode(open_gateway):
    async with open_gateway() as gw:
        unknown = await gw.client.post("/demo/telegram-link", json={"user_id": 999_999})
        assert unknown.status_code == 404
    async with open_gateway(demo_mode=False) as gw:
        response = await gw.client.post(
            "/demo/telegram-link", json={"user_id": gw.user_ids[OLIVIA]}
        )
        assert response.status_code == 404
    async with open_gateway(telegram_mode="off") as gw:
        response = await gw.client.post(
            "/demo/telegram-link", json={"user_id": gw.user_ids[OLIVIA]}
        )
        assert response.status_code == 404
        assert "Link Telegram" not in (await gw.client.get("/")).text
        webhook = await gw.post(text_update(None, "status", from_id=STRANGER_TG))
        assert webhook.status_code == 404


async def test_polling_mode_reads_get_updates_and_stops_cleanly(open_gateway):
    async with open_gateway(telegram_mode="polling") as gw:
        await asyncio.to_thread(gw.telegram.wait_for, "deleteWebhook", None, 10)
        code = (await gw.link_code(OLIVIA))["code"]
        gw.telegram.push_update(text_update(None, f"/start {code}", from_id=OLIVIA_TG))
        await gw.sent(OLIVIA_TG, lambda text: "Welcome, Olivia" in text)
        gw.telegram.push_update(text_update(None, "status", from_id=OLIVIA_TG))
        await gw.sent(OLIVIA_TG, lambda text: text == "echo: status")
        webhook = await gw.post(text_update(None, "status", from_id=OLIVIA_TG))
        assert webhook.status_code == 404  # no webhook route in polling mode
    assert gw.rasa.messages() == ["status"]


# --- the setup helper ------------------------------------------------------------------


async def test_the_setup_helper_sets_and_deletes_the_webhook_with_the_secret(telegram):
    settings = make_settings(
        "sqlite://",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=f"{telegram.url}/bot",
        telegram_webhook_secret=SECRET,
    )
    url = "https://merchant.example/telegram/webhook"

    said = await telegram_setup.run(
        telegram_setup.build_parser().parse_args(["--url", url]), settings
    )

    assert said == f"webhook set to {url}" and SECRET not in said and TOKEN not in said
    assert telegram.webhook["url"] == url
    assert telegram.webhook["secret_token"] == SECRET
    assert telegram.webhook["allowed_updates"] == ["message", "callback_query"]
    info = await telegram_setup.run(telegram_setup.build_parser().parse_args(["--info"]), settings)
    assert url in info
    await telegram_setup.run(telegram_setup.build_parser().parse_args(["--delete"]), settings)
    assert telegram.webhook["url"] == ""
    with pytest.raises(SystemExit):
        args = telegram_setup.build_parser().parse_args(["--url", "http://insecure.example/hook"])
        await telegram_setup.run(args, settings)
