"""Telegram end to end: the real stack's gateway in webhook mode, Telegram played by
:class:`FakeTelegramServer` (the gateway's python-telegram-bot calls it over HTTP).

Updates are POSTed to the gateway's webhook with the secret, as Telegram would; what the
user sees is what the gateway sent to the Bot API (``sendMessage`` with inline keyboards).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.telegram_updates import callback_update, contact_update, text_update
from bot.launcher import Stack
from tests.e2e.channel_fixtures import TELEGRAM_SECRET

TURN_SECONDS = 60.0
OLIVIA_TG, MARC_TG, STRANGER_TG = 6_100_001, 6_100_002, 6_100_009


class TelegramChat:
    """One private chat with the bot, as a Telegram user drives it."""

    def __init__(
        self, stack: Stack, telegram: FakeTelegramServer, user_id: int, language_code: str
    ) -> None:
        self.stack = stack
        self.telegram = telegram
        self.user_id = user_id
        self.language_code = language_code

    async def post(self, update: dict[str, Any]) -> None:
        async with httpx.AsyncClient(base_url=self.stack.gateway_url, timeout=10) as client:
            response = await client.post(
                "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            )
        assert response.status_code == 200, response.text

    async def say(self, text: str) -> None:
        await self.post(
            text_update(None, text, from_id=self.user_id, language_code=self.language_code)
        )

    async def press(self, callback_data: str) -> None:
        await self.post(
            callback_update(
                None, callback_data, from_id=self.user_id, language_code=self.language_code
            )
        )

    def received(self) -> list[dict[str, Any]]:
        """The params of every message the bot sent to this chat so far."""
        calls = self.telegram.calls("sendMessage")
        return [c["params"] for c in calls if c["params"].get("chat_id") == self.user_id]

    async def wait_until(self, done: Any, timeout: float = TURN_SECONDS) -> list[dict[str, Any]]:
        """Wait until ``done(messages so far)`` holds; the messages."""

        def check(_: dict[str, Any]) -> bool:
            return bool(done(self.received()))

        await asyncio.to_thread(self.telegram.wait_for, "sendMessage", check, timeout)
        return self.received()


def keys(messages: list[dict[str, Any]]) -> dict[str, str]:
    """Inline-keyboard buttons of ``messages``: title → callback_data."""
    found: dict[str, str] = {}
    for message in messages:
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                found[button["text"]] = button["callback_data"]
    return found


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def demo_link_code(stack: Stack, user_id: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        response = await client.post("/demo/telegram-link", json={"user_id": user_id})
    assert response.status_code == 200, response.text
    return response.json()


async def test_olivia_links_by_code_and_sees_her_broken_integrations(
    stack: Stack, fake_telegram: FakeTelegramServer, user_ids: dict[str, int]
) -> None:
    olivia = TelegramChat(stack, fake_telegram, OLIVIA_TG, "en")
    minted = await demo_link_code(stack, user_ids["olivia"])
    assert minted["link"].startswith("https://t.me/merchant_assistant_test_bot?start=")

    await olivia.say(minted["command"])
    await olivia.wait_until(lambda ms: any("Welcome, Olivia" in m["text"] for m in ms))

    await olivia.say("which of my stores are disconnected?")
    expected = {"Reconnect Uber Eats — main", "Reconnect DoorDash — main", "Reconnect Glovo — main"}
    messages = await olivia.wait_until(lambda ms: expected <= set(keys(ms)))

    shown = texts(messages)
    assert "Uber Eats — main" in shown and "Downtown / Burger Barn" in shown
    assert "DoorDash — main" in shown and "2FA" in shown
    assert all(
        data.startswith("b_") and len(data.encode()) <= 64 for data in keys(messages).values()
    )
    typing = fake_telegram.calls("sendChatAction")
    assert any(c["params"] == {"chat_id": OLIVIA_TG, "action": "typing"} for c in typing)

    # she can act from Telegram as from the widget: Reconnect sends her a one-time link
    before = len(olivia.received())
    await olivia.press(keys(messages)["Reconnect Uber Eats — main"])
    after = await olivia.wait_until(lambda ms: any("secure link" in m["text"] for m in ms[before:]))
    link_message = next(m for m in after[before:] if "secure link" in m["text"])
    assert stack.platform_url in link_message["text"]
    assert link_message["link_preview_options"] == {"is_disabled": True}


async def test_marc_links_by_his_contact_and_gets_french(
    stack: Stack, fake_telegram: FakeTelegramServer
) -> None:
    marc = TelegramChat(stack, fake_telegram, MARC_TG, "en")  # app in English, profile French
    await marc.post(contact_update(None, "15550000002", from_id=MARC_TG))
    await marc.wait_until(lambda ms: any("Bienvenue, Marc" in m["text"] for m in ms))

    await marc.say("mes intégrations sont-elles connectées ?")
    messages = await marc.wait_until(lambda ms: "Prévenir Olivia Owner" in keys(ms))

    shown = texts(messages)
    assert "Magasins touchés" in shown and "déconnecté" in shown
    assert not any(title.startswith("Reconnect") for title in keys(messages))


async def test_an_unlinked_chat_gets_help_only(
    stack: Stack, fake_telegram: FakeTelegramServer
) -> None:
    stranger = TelegramChat(stack, fake_telegram, STRANGER_TG, "es")
    await stranger.say("¿qué tiendas están desconectadas?")
    [help_message] = await stranger.wait_until(lambda ms: len(ms) >= 1)

    assert "aún no está vinculada" in help_message["text"]
    for word in ("Demo Kitchen", "Harbor", "Burger Barn", "Uber Eats — main", "Olivia"):
        assert word not in help_message["text"]
    # someone else's contact card links nothing either
    await stranger.post(
        contact_update(
            None,
            "+15550000001",
            from_id=STRANGER_TG,
            contact_user_id=OLIVIA_TG,
            language_code="es",
        )
    )
    messages = await stranger.wait_until(lambda ms: len(ms) >= 2)
    assert "su propio número" in messages[1]["text"]
    assert "Olivia" not in texts(messages)
