"""The SMS channel end to end inside one process: signed Twilio webhooks in, real twilio
client out.

The gateway runs under uvicorn on a free port with the SMS channel on; the platform is
the real platform app (in process, on a fresh demo database); Rasa is an httpx
MockTransport stand-in speaking its REST webhook protocol and recording what it gets;
replies go out through the official twilio client to the local Twilio stand-in
(:class:`bot.devtools.fake_twilio.FakeTwilioServer`).

Messages of one number are processed in arrival order, so "nothing was sent" is
checked causally: a later message's reply arrives, and nothing came before it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.sms_webhook import new_message_sid, post_sms, signed_request, webhook_params
from bot.gateway.app import create_app
from bot.identity import verify_identity
from bot.notify.twilio_sms import SmsSendFailed, TwilioSmsSender
from bot.platform.api import create_app as create_platform_app
from bot.platform.db import make_engine, session_factory
from bot.platform.demo import load_demo
from bot.platform.models import User
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings
from tests.integration.test_gateway_webchat import serve

ACCOUNT_SID = "AC" + "5a" * 16
AUTH_TOKEN = "test-twilio-auth-token-0123456789"
PUBLIC_URL = "https://sms.example.test/assistant"  # what Twilio calls, behind a proxy
SUPPORT = "+15550001000"
OLIVIA, MARC, SOFIA = "+15550000001", "+15550000002", "+15550000003"
STRANGER = "+15559990000"

REASON = '/cancel_order_reason{"order_ref":"DD-1001","reason":"too_busy"}'
KEEP = '/cancel_order_keep{"order_ref":"DD-1001"}'
CONFIRM = '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy","request_id":"r1"}'
RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'
LATER = '/repair_later{"account_id":"ue-main"}'
SUPPORT_PAYLOAD = "/contact_support"
LINK = "https://platform.example.test/pair/" + "Zx9_" * 10
AFFIRM = "Not a button: reply with the code."


@dataclass
class RasaStandIn:
    """Rasa's REST webhook: records each message and answers a few scripted turns."""

    received: list[dict[str, Any]] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [body["message"] for body in self.received]

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if request.url.path.endswith("/trigger_intent"):
            self.triggers.append(body)
            event = body["entities"].get("pairing_event")
            message = {"recipient_id": "x", "text": f"update: {event}"}
            return httpx.Response(200, json={"tracker": {}, "messages": [message]})
        if request.url.path != "/webhooks/rest/webhook":
            return httpx.Response(404)
        self.received.append(body)
        sender, message = body["sender"], body["message"]

        def say(text: str, *buttons: tuple[str, str]) -> dict[str, Any]:
            reply: dict[str, Any] = {"recipient_id": sender, "text": text}
            if buttons:
                reply["buttons"] = [{"title": t, "payload": p} for t, p in buttons]
            return reply

        if message == "status":
            answer = [
                say("Uber Eats — main is disconnected.", ("Reconnect Uber Eats — main", RECONNECT)),
                say(
                    "Or later:", ("I'll do this later", LATER), ("Contact support", SUPPORT_PAYLOAD)
                ),
            ]
        elif message == "cancel DD-1001":
            answer = [say("Why are you cancelling?", ("Too busy", REASON), ("Don't cancel", KEEP))]
        elif message == REASON:
            answer = [say('Cancel order DD-1001 with the reason "Too busy"?', ("Confirm", CONFIRM))]
        elif message == CONFIRM:
            answer = [say("Done: DoorDash cancelled order DD-1001.")]
        elif message == "long":
            paragraph = "Open this one-time link and sign in to your account again. " * 10
            answer = [say("\n\n".join(f"{paragraph}{LINK}" for _ in range(5)))]
        else:
            answer = [say(f"echo: {message}")]
        return httpx.Response(200, json=answer)

    def identity(self, index: int) -> Any:
        token = self.received[index]["metadata"]["identity"]
        return verify_identity(token, IDENTITY_SECRET)


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilioServer]:
    server = FakeTwilioServer(ACCOUNT_SID)
    server.start()
    yield server
    server.stop()


@dataclass
class SmsStack:
    gateway_url: str
    platform: httpx.AsyncClient
    rasa: RasaStandIn
    twilio: FakeTwilioServer
    user_ids: dict[str, int]

    async def post(self, from_: str, body: str, **kwargs: Any) -> httpx.Response:
        return await post_sms(
            self.gateway_url,
            AUTH_TOKEN,
            from_,
            body,
            to=SUPPORT,
            account_sid=ACCOUNT_SID,
            public_url=PUBLIC_URL,
            **kwargs,
        )

    async def say(self, from_: str, body: str, expect: int = 1, **kwargs: Any) -> list[str]:
        """Text ``body`` from ``from_``; the next ``expect`` SMS sent back to that number."""
        before = len(self.twilio.messages(to=from_))
        response = await self.post(from_, body, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
        return await self.replies(from_, before, expect)

    async def replies(self, to: str, before: int, count: int) -> list[str]:
        sent = await asyncio.to_thread(self.twilio.wait_for_messages, to, before + count, 20)
        assert all(m["from"] == SUPPORT for m in sent)
        return [m["body"] for m in sent[before:]]

    async def silent(self, from_: str, body: str, **kwargs: Any) -> None:
        """Text ``body`` expecting no reply (checked by the replies to later messages)."""
        await self.say(from_, body, expect=0, **kwargs)

    async def opted_out(self, phone: str) -> bool:
        response = await self.platform.get("/internal/sms/opt-outs", params={"phone": phone})
        response.raise_for_status()
        return response.json()["opted_out"]


@pytest.fixture
async def sms(sqlite_url, twilio) -> AsyncIterator[SmsStack]:
    """The gateway (SMS on) with the real platform in process and Rasa stood in."""
    load_demo(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        ids = {phone: uid for phone, uid in session.execute(select(User.phone, User.id))}
    engine.dispose()
    platform_app = create_platform_app(make_settings(sqlite_url))
    platform_transport = httpx.ASGITransport(app=platform_app)
    rasa = RasaStandIn()
    settings = Settings(
        _env_file=None,
        session_secret=SecretStr("test-session-secret-0123456789abcdef"),
        identity_secret=SecretStr(IDENTITY_SECRET),
        internal_token=SecretStr(INTERNAL_TOKEN),
        platform_url="http://platform.test",
        rasa_url="http://rasa.test",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        twilio_api_base_url=twilio.url,
        sms_public_url=PUBLIC_URL,
        support_phone=SUPPORT,
    )
    gateway = create_app(
        settings,
        platform_transport=platform_transport,
        rasa_transport=httpx.MockTransport(rasa.handle),
    )
    twilio.clear()
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    async with (
        serve(gateway) as url,
        httpx.AsyncClient(
            transport=platform_transport, base_url="http://platform.test", headers=headers
        ) as platform,
    ):
        yield SmsStack(url, platform, rasa, twilio, ids)
    platform_app.state.platform.dispose()


# --- the webhook: signatures, dedupe ------------------------------------------------------


async def test_forged_or_missing_signatures_are_refused_and_nothing_happens(sms) -> None:
    params = webhook_params(OLIVIA, "status", SUPPORT, ACCOUNT_SID)
    async with httpx.AsyncClient(base_url=sms.gateway_url) as client:
        missing = await client.post("/sms/webhook", data=params)
        headers, form = signed_request(PUBLIC_URL, params, "not-the-auth-token")
        forged = await client.post("/sms/webhook", data=form, headers=headers)
        headers, form = signed_request(sms.gateway_url, params, AUTH_TOKEN)  # not the public URL
        wrong_url = await client.post("/sms/webhook", data=form, headers=headers)
        headers, form = signed_request(PUBLIC_URL, params, AUTH_TOKEN)
        tampered = await client.post("/sms/webhook", data={**form, "From": SOFIA}, headers=headers)
    assert [r.status_code for r in (missing, forged, wrong_url, tampered)] == [403] * 4
    assert sms.rasa.received == [] and sms.twilio.messages() == []

    assert await sms.say(OLIVIA, "hello") == ["echo: hello"]
    assert sms.rasa.messages() == ["hello"]
    assert sms.twilio.messages(to=SOFIA) == []


async def test_the_same_message_sid_twice_is_processed_once(sms) -> None:
    sid = new_message_sid()
    assert await sms.say(OLIVIA, "once", message_sid=sid) == ["echo: once"]
    await sms.silent(OLIVIA, "once", message_sid=sid)
    assert await sms.say(OLIVIA, "next") == ["echo: next"]
    assert sms.rasa.messages() == ["once", "next"]


async def test_replies_go_through_the_twilio_rest_api_with_our_credentials(sms) -> None:
    await sms.say(OLIVIA, "hi")
    [call] = sms.twilio.calls()
    assert (call.account_sid, call.auth_token, call.from_, call.to) == (
        ACCOUNT_SID,
        AUTH_TOKEN,
        SUPPORT,
        OLIVIA,
    )
    assert call.sid.startswith("SM") and call.resource["status"] == "queued"


async def test_a_twilio_failure_is_retried(sms) -> None:
    sms.twilio.fail_next(1)
    assert await sms.say(OLIVIA, "retry me") == ["echo: retry me"]
    assert [c.status_code for c in sms.twilio.calls()] == [500, 201]


# --- who is texting -------------------------------------------------------------------


async def test_an_unknown_number_gets_help_only(sms) -> None:
    [reply] = await sms.say(STRANGER, "status of Demo Kitchen Group please")
    assert "not registered" in reply and "dashboard" in reply and SUPPORT in reply
    assert "n'est pas enregistré" in reply and "no está registrado" in reply
    assert "Demo Kitchen" not in reply and "Olivia" not in reply
    assert sms.rasa.received == []


async def test_sofias_number_is_sofia_and_cannot_act_as_olivia(sms) -> None:
    olivia_id, sofia_id = sms.user_ids[OLIVIA], sms.user_ids[SOFIA]
    await sms.say(OLIVIA, "status")
    await sms.say(SOFIA, "I am Olivia Owner, cancel DD-1001")
    await sms.say(SOFIA, "1")  # Olivia's options are not Sofia's

    assert [b["sender"] for b in sms.rasa.received] == [
        f"sms:{olivia_id}:15550000001",
        f"sms:{sofia_id}:15550000003",
        f"sms:{sofia_id}:15550000003",
    ]
    assert sms.rasa.messages()[1:] == ["I am Olivia Owner, cancel DD-1001", "1"]
    for index in (1, 2):
        identity = sms.rasa.identity(index)
        assert (identity.user_id, identity.channel, identity.confirmed) == (sofia_id, "sms", False)


# --- numbered options and confirm codes -------------------------------------------------


async def test_numbers_map_to_the_options_offered_last_and_other_text_is_text(sms) -> None:
    [status] = await sms.say(OLIVIA, "status")
    assert "Uber Eats — main is disconnected." in status
    assert "Reply 1 for I'll do this later, 2 for Contact support." in status
    assert "To confirm “Reconnect Uber Eats — main”, reply " in status

    await sms.say(OLIVIA, " 2 ")
    assert sms.rasa.messages()[-1] == SUPPORT_PAYLOAD
    await sms.say(OLIVIA, "status")
    await sms.say(OLIVIA, "2 please")
    assert sms.rasa.messages()[-1] == "2 please"

    await sms.say(OLIVIA, "status")
    [reasons] = await sms.say(OLIVIA, "cancel DD-1001")
    assert "Reply 1 for Too busy, 2 for Don't cancel." in reasons
    await sms.say(OLIVIA, "1")  # the reasons were offered last, not the status options
    assert sms.rasa.messages()[-1] == REASON
    assert sms.rasa.identity(-1).confirmed is False


async def test_blind_replies_never_confirm_only_the_code_does(sms) -> None:
    await sms.say(OLIVIA, "cancel DD-1001")
    [summary] = await sms.say(OLIVIA, "1")
    assert 'Cancel order DD-1001 with the reason "Too busy"?' in summary
    assert "Reply 1" not in summary
    code = summary.rsplit("reply ", 1)[1].rstrip(".")
    assert len(code) == 4 and not code.isdigit()
    sent_to_rasa = len(sms.rasa.received)

    for blind in ("1", "YES", "yes", "Oui", "2", "ok!"):
        [hint] = await sms.say(OLIVIA, blind)
        assert hint.startswith("To confirm, reply with the code I just sent"), blind
    assert len(sms.rasa.received) == sent_to_rasa  # none of them reached Rasa

    [done] = await sms.say(OLIVIA, f"  {code.lower()} ")
    assert done == "Done: DoorDash cancelled order DD-1001."
    assert sms.rasa.messages()[-1] == CONFIRM
    assert sms.rasa.identity(-1).confirmed is True

    await sms.say(OLIVIA, code)  # the code was for that turn only: now it is text
    assert sms.rasa.messages()[-1] == code
    assert sms.rasa.identity(-1).confirmed is False


async def test_a_reply_that_is_not_an_offered_number_is_text_when_no_code_waits(sms) -> None:
    await sms.say(OLIVIA, "hello")
    await sms.say(OLIVIA, "1")
    await sms.say(OLIVIA, "YES")
    assert sms.rasa.messages() == ["hello", "1", "YES"]


# --- keywords -------------------------------------------------------------------------


async def test_stop_confirms_then_silence_until_start(sms) -> None:
    assert await sms.say(OLIVIA, "STOP") == [
        "You won't get any more messages from us. Reply START to receive them again."
    ]
    assert await sms.opted_out(OLIVIA) is True
    await sms.silent(OLIVIA, "status")
    await sms.silent(OLIVIA, "HELP")
    [back] = await sms.say(OLIVIA, "start")
    assert back.startswith("You will receive our messages again.")
    assert await sms.opted_out(OLIVIA) is False
    assert sms.rasa.received == []  # nothing while opted out
    assert await sms.say(OLIVIA, "status")
    assert sms.rasa.messages() == ["status"]


async def test_yes_opts_back_in_only_while_opted_out_and_languages_follow(sms) -> None:
    [stopped] = await sms.say(MARC, "Arrêt")
    assert stopped.startswith("Vous ne recevrez plus de messages")
    [back] = await sms.say(MARC, "yes")
    assert back.startswith("Vous recevrez à nouveau nos messages.")
    [baja] = await sms.say(SOFIA, "BAJA")
    assert baja.startswith("No recibirá más mensajes nuestros.")
    [unknown_stop] = await sms.say(STRANGER, "stop")
    assert unknown_stop.startswith("You won't get any more messages")
    assert sms.rasa.received == []


async def test_cancel_is_not_an_opt_out_keyword(sms) -> None:
    assert await sms.say(OLIVIA, "CANCEL") == ["echo: CANCEL"]
    assert await sms.opted_out(OLIVIA) is False


async def test_help_names_our_support_number_in_the_users_language(sms) -> None:
    [help_en] = await sms.say(OLIVIA, " help ")
    assert SUPPORT in help_en and "STOP" in help_en
    [help_fr] = await sms.say(MARC, "INFO")
    assert SUPPORT in help_fr and "Assistant marchand" in help_fr
    [help_es] = await sms.say(OLIVIA, "ayuda")
    assert "Asistente para comercios" in help_es
    assert sms.rasa.received == []


# --- long answers and turns that continue by themselves -------------------------------


async def test_a_long_reply_is_split_under_1600_with_links_whole(sms) -> None:
    before = len(sms.twilio.messages(to=OLIVIA))
    response = await sms.post(OLIVIA, "long")
    assert response.status_code == 200
    # 5 paragraphs of ~700 characters: 3 messages
    bodies = await sms.replies(OLIVIA, before, 3)
    assert all(len(body) <= 1600 for body in bodies)
    assert sum(body.count(LINK) for body in bodies) == 5
    assert all(body.count("https://") == body.count(LINK) for body in bodies)


async def test_a_continued_conversation_is_texted_unless_opted_out(sms) -> None:
    olivia_id = sms.user_ids[OLIVIA]
    body = {
        "conversation_id": f"sms:{olivia_id}:15550000001",
        "user_id": olivia_id,
        "channel": "sms",
        "intent": "repair_pairing_update",
        "entities": {"pairing_event": "credentials_submitted"},
    }
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    async with httpx.AsyncClient(base_url=sms.gateway_url, headers=headers) as gateway:
        accepted = await gateway.post("/internal/conversations/continue", json=body)
        assert accepted.status_code == 202, accepted.text
        assert await sms.replies(OLIVIA, 0, 1) == ["update: credentials_submitted"]

        await sms.say(OLIVIA, "STOP")
        accepted = await gateway.post("/internal/conversations/continue", json=body)
        assert accepted.status_code == 202
        await _continuations_done()
        assert len(sms.rasa.triggers) == 2  # triggered, but not texted to an opted-out number
        [back] = await sms.say(OLIVIA, "START")
    assert back.startswith("You will receive our messages again.")
    assert [m["body"] for m in sms.twilio.messages(to=OLIVIA)][-2:] == [
        "You won't get any more messages from us. Reply START to receive them again.",
        back,
    ]


async def _continuations_done() -> None:
    """Wait for the gateway's background continuations (same event loop) to finish."""
    running = [t for t in asyncio.all_tasks() if t.get_name().startswith("continue ")]
    await asyncio.gather(*running)


# --- the sender on its own (issue 6's alerts reuse it) -----------------------------------


async def test_the_sender_retries_server_errors_but_not_refusals(twilio) -> None:
    twilio.clear()
    sender = TwilioSmsSender(
        ACCOUNT_SID, AUTH_TOKEN, SUPPORT, api_base_url=twilio.url, backoff_seconds=0.01
    )
    twilio.fail_next(3)
    with pytest.raises(SmsSendFailed) as failed:
        await sender.send(OLIVIA, "alert")
    assert failed.value.status == 500 and len(twilio.calls()) == 3  # 3 tries, then given up
    twilio.clear()
    other_account = TwilioSmsSender(
        "AC" + "0" * 32, AUTH_TOKEN, SUPPORT, api_base_url=twilio.url, backoff_seconds=0.01
    )
    with pytest.raises(SmsSendFailed) as refused:
        await other_account.send(OLIVIA, "alert")
    assert (refused.value.status, refused.value.code) == (404, 20404)
    assert len(twilio.calls()) == 1  # a refusal is not retried
    twilio.clear()
    sid = await sender.send(OLIVIA, "alert")
    assert sid.startswith("SM") and twilio.messages() == [
        {"to": OLIVIA, "from": SUPPORT, "body": "alert"}
    ]
    sender.close()
    other_account.close()
