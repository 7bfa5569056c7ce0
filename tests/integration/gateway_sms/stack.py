"""The SMS test stack's parts: numbers and payloads, Rasa's stand-in, and the stack a test
texts through (:class:`SmsStack`); the fixtures that build it are in ``conftest.py``."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.sms_webhook import post_sms
from bot.identity import verify_identity
from tests.integration.conftest import IDENTITY_SECRET

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
