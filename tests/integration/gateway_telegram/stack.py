"""The Telegram test stack's parts: tokens, chats and payloads, Rasa's stand-in, and the
:class:`Harness` a test drives; the fixtures that build it are in ``conftest.py``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.telegram_updates import (
    text_update,
)
from bot.identity import verify_identity
from tests.integration.conftest import IDENTITY_SECRET

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


OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"


def conversation(gw: Harness, email: str, chat_id: int) -> str:
    return f"telegram:{gw.user_ids[email]}:{chat_id}"
