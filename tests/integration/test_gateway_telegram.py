"""The Telegram channel end to end inside one process, with the real python-telegram-bot.

The gateway app runs with its lifespan under httpx's ASGI transport; the platform API is
the real app on this test's demo database (in-process, ASGI transport); Rasa is a
MockTransport stand-in that records what it receives (and checks the identity token);
Telegram's Bot API is :class:`FakeTelegramServer` on a free port, which the gateway's
real ``telegram.Bot`` calls over HTTP. Updates are POSTed to the webhook as Telegram
would, or queued for ``getUpdates`` in polling mode.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.telegram_updates import (
    callback_update,
    contact_update,
    next_update_id,
    text_update,
)
from bot.gateway.app import create_app as create_gateway
from bot.gateway.channels import telegram_setup
from bot.identity import Identity, verify_identity
from bot.platform.api import create_app as create_platform
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings

TOKEN = "424242:integration-telegram-token"
SECRET = "integration-webhook-secret_0123"
BOT_USERNAME = "ma_integration_bot"
RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'
LATER = '/repair_later{"account_id":"ue-main"}'
ORGANIZATION_WORDS = ("Demo Kitchen", "Harbor", "Burger Barn", "Taco Town", "Olivia", "Downtown")
HELP_WORDS = {"en": "not linked", "fr": "pas encore lié", "es": "aún no está vinculada"}

OLIVIA_TG, MARC_TG, SOFIA_TG, STRANGER_TG = 5_000_001, 5_000_002, 5_000_003, 5_000_009


@dataclass
class RasaStandIn:
    """Rasa's REST webhook and trigger_intent: records messages with their verified identity."""

    received: list[dict[str, Any]] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    trigger_started: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if request.url.path.endswith("/trigger_intent"):
            self.triggers.append(request.url.path)
            event = body["entities"].get("pairing_event")
            if event == "slow":
                self.trigger_started.set()
                await asyncio.sleep(0.3)
            messages = [{"recipient_id": "x", "text": f"update: {event}"}]
            return httpx.Response(200, json={"tracker": {}, "messages": messages})
        identity = verify_identity(body["metadata"]["identity"], IDENTITY_SECRET)
        self.received.append({**body, "identity": identity})
        sender, message = body["sender"], body["message"]
        if message == "long please":
            line = "Reconnect at https://platform.example/pair/{:04d}?t=abcdef0123456789 now."
            long_text = "\n".join(line.format(i) for i in range(150))
            buttons = [{"title": "Later", "payload": LATER}]
            reply = {"recipient_id": sender, "text": long_text, "buttons": buttons}
            return httpx.Response(200, json=[reply])
        if message == "buttons please":
            buttons = [
                {"title": "Reconnect Uber Eats — main", "payload": RECONNECT},
                {"title": "I'll do this later", "payload": LATER},
            ]
            reply = {
                "recipient_id": sender,
                "text": "Uber Eats — main is down.",
                "buttons": buttons,
            }
            return httpx.Response(200, json=[reply])
        return httpx.Response(200, json=[{"recipient_id": sender, "text": f"echo: {message}"}])

    def messages(self, sender: str | None = None) -> list[str]:
        return [b["message"] for b in self.received if sender is None or b["sender"] == sender]


@dataclass
class Harness:
    """One gateway with Telegram on, its platform, Rasa stand-in and the fake Bot API."""

    client: httpx.AsyncClient
    rasa: RasaStandIn
    telegram: FakeTelegramServer
    user_ids: dict[str, int]

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return await self.client.post("/telegram/webhook", json=update, headers=headers)

    async def sent(self, chat_id: int, predicate: Callable[[str], bool]) -> dict[str, Any]:
        """The first message sent to ``chat_id`` whose text satisfies ``predicate``."""

        def matches(params: dict[str, Any]) -> bool:
            return params.get("chat_id") == chat_id and predicate(str(params.get("text")))

        call = await asyncio.to_thread(self.telegram.wait_for, "sendMessage", matches, 10)
        return call["params"]

    def to_chat(self, chat_id: int) -> list[dict[str, Any]]:
        """The params of every message sent to ``chat_id`` so far."""
        calls = self.telegram.calls("sendMessage")
        return [c["params"] for c in calls if c["params"].get("chat_id") == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        return [params["text"] for params in self.to_chat(chat_id)]

    async def count_sent(self, chat_id: int, count: int) -> None:
        """Wait until ``count`` messages were sent to ``chat_id``."""

        def enough(_: dict[str, Any]) -> bool:
            return len(self.to_chat(chat_id)) >= count

        await asyncio.to_thread(self.telegram.wait_for, "sendMessage", enough, 10)

    async def link_code(self, email: str) -> dict[str, Any]:
        response = await self.client.post(
            "/demo/telegram-link", json={"user_id": self.user_ids[email]}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def link(self, email: str, telegram_id: int, language_code: str = "en") -> None:
        code = (await self.link_code(email))["code"]
        update = text_update(
            None, f"/start {code}", from_id=telegram_id, language_code=language_code
        )
        assert (await self.post(update)).status_code == 200
        await self.sent(
            telegram_id, lambda text: "linked" in text or "lié" in text or "vinculada" in text
        )

    async def say(self, telegram_id: int, text: str) -> None:
        assert (await self.post(text_update(None, text, from_id=telegram_id))).status_code == 200


@pytest.fixture
def db_url(sqlite_url) -> str:
    """SQLite only: the platform's channel endpoints are tested on both engines elsewhere."""
    return sqlite_url


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegramServer]:
    server = FakeTelegramServer(TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_gateway(
    demo_db_url, telegram, user_ids
) -> Callable[..., AbstractAsyncContextManager[Harness]]:
    """``async with open_gateway(telegram_mode="polling") as gw``: a fresh gateway."""

    @asynccontextmanager
    async def build(**overrides: object) -> AsyncIterator[Harness]:
        telegram.clear()
        platform = create_platform(make_settings(demo_db_url))
        rasa = RasaStandIn()
        values: dict[str, object] = {
            "telegram_mode": "webhook",
            "telegram_bot_token": TOKEN,
            "telegram_api_base_url": f"{telegram.url}/bot",
            "telegram_webhook_secret": SECRET,
            "telegram_bot_username": BOT_USERNAME,
            "session_secret": "integration-session-secret-0123456789",
            "platform_url": "http://platform.test",
            "rasa_url": "http://rasa.test",
            **overrides,
        }
        settings = make_settings(demo_db_url, **values)
        app = create_gateway(
            settings,
            platform_transport=httpx.ASGITransport(app=platform),
            rasa_transport=httpx.MockTransport(rasa.handle),
        )
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://gateway.test"
                ) as client:
                    yield Harness(client, rasa, telegram, user_ids)
        finally:
            platform.state.platform.dispose()

    return build


@pytest.fixture
async def gw(open_gateway) -> AsyncIterator[Harness]:
    async with open_gateway() as harness:
        yield harness


OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"


def conversation(gw: Harness, email: str, chat_id: int) -> str:
    return f"telegram:{gw.user_ids[email]}:{chat_id}"


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


# --- linking ---------------------------------------------------------------------------


async def test_linking_with_a_start_code_then_chatting_as_that_user(gw):
    minted = await gw.link_code(OLIVIA)
    assert minted["command"] == f"/start {minted['code']}"
    assert minted["link"] == f"https://t.me/{BOT_USERNAME}?start={minted['code']}"

    await gw.post(text_update(None, f"/start {minted['code']}", from_id=OLIVIA_TG))
    welcome = await gw.sent(OLIVIA_TG, lambda text: "Welcome, Olivia" in text)
    assert welcome["reply_markup"] == {"remove_keyboard": True}
    assert welcome["link_preview_options"] == {"is_disabled": True}

    gw.telegram.clear()
    await gw.say(OLIVIA_TG, "which stores are disconnected?")
    await gw.sent(OLIVIA_TG, lambda text: text == "echo: which stores are disconnected?")

    [body] = gw.rasa.received
    assert body["sender"] == conversation(gw, OLIVIA, OLIVIA_TG)
    assert body["identity"] == Identity(gw.user_ids[OLIVIA], body["sender"], "telegram")
    methods = [c["method"] for c in gw.telegram.calls()]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    typing = gw.telegram.calls("sendChatAction")[0]["params"]
    assert typing == {"chat_id": OLIVIA_TG, "action": "typing"}


async def test_a_link_code_works_once(gw):
    code = (await gw.link_code(OLIVIA))["code"]
    await gw.post(text_update(None, f"/start {code}", from_id=OLIVIA_TG))
    await gw.sent(OLIVIA_TG, lambda text: "Welcome" in text)

    await gw.post(text_update(None, f"/start {code}", from_id=STRANGER_TG, language_code="es"))
    refused = await gw.sent(STRANGER_TG, lambda text: "no es válido" in text)
    assert "Olivia" not in refused["text"]
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []


async def test_linking_by_sharing_ones_own_contact_welcomes_in_the_users_language(gw):
    # Telegram often sends the number without "+"; Marc's profile language is French.
    await gw.post(contact_update(None, "15550000002", from_id=MARC_TG))

    await gw.sent(MARC_TG, lambda text: text.startswith("Bienvenue, Marc"))
    await gw.say(MARC_TG, "/start")
    await gw.sent(MARC_TG, lambda text: "ce compte Telegram est lié" in text)
    await gw.say(MARC_TG, "état de mes intégrations")
    await gw.sent(MARC_TG, lambda text: text == "echo: état de mes intégrations")
    assert gw.rasa.received[0]["identity"].user_id == gw.user_ids[MARC]


async def test_someone_elses_contact_links_nothing(gw):
    # The stranger forwards Olivia's contact card: her phone is verified, but not theirs.
    update = contact_update(None, "+15550000001", from_id=STRANGER_TG, contact_user_id=OLIVIA_TG)
    await gw.post(update)

    await gw.sent(STRANGER_TG, lambda text: "your own phone number" in text)
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []
    assert not any("Olivia" in text for text in gw.texts_to(STRANGER_TG))


async def test_a_phone_that_is_no_verified_users_links_nothing(gw):
    await gw.post(contact_update(None, "+15559990000", from_id=STRANGER_TG))

    await gw.sent(STRANGER_TG, lambda text: "not a verified number" in text)
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []


async def test_unlink_stops_the_chat_from_acting_as_the_user(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.say(OLIVIA_TG, "/unlink")
    await gw.sent(OLIVIA_TG, lambda text: "no longer linked" in text)
    await gw.say(OLIVIA_TG, "status")
    await gw.sent(OLIVIA_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []


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
