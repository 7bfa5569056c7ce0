"""Human handoff on Telegram against the whole stack: Olivia links a chat of her own (a
Telegram account no other test uses) and asks for a person through the gateway's webhook;
what she reads is what the gateway sent the local Bot API stand-in. Sam answers from the
support console in a headless Chromium.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.launcher import Stack
from tests.e2e.console_support import (
    LIVE,
    SAM,
    browser,
    console,
    hand_back,
    leave_no_handoff,
    open_conversation,
    open_handoff_of,
    queue_row,
    reply,
    take,
)
from tests.e2e.test_telegram import TelegramChat, demo_link_code, texts

__all__ = ["browser"]  # fixtures

OLIVIA = "Olivia Owner"
ASK = "I want to talk to a person"
TAKING_OVER = "I've asked a person from our support team to take over this conversation"
QUIET_SECONDS = 2.0  # after Sam saw the message: time enough for any answer to be sent


@pytest.fixture
async def olivia(
    stack: Stack, fake_telegram: FakeTelegramServer, user_ids: dict[str, int], fresh_demo: None
) -> AsyncIterator[TelegramChat]:
    """Olivia on a Telegram account linked for this test; her handoff never outlives it."""
    chat = TelegramChat(stack, fake_telegram, 7_000_000 + secrets.randbelow(1_000_000), "en")
    minted = await demo_link_code(stack, user_ids["olivia"])
    await chat.say(minted["command"])
    await chat.wait_until(lambda ms: any("Welcome, Olivia" in m["text"] for m in ms))
    yield chat
    await leave_no_handoff(stack, OLIVIA, "telegram", lambda: chat.say("cancel"))


async def sent_after(chat: TelegramChat, mark: int, text: str) -> list[dict[str, Any]]:
    """The messages the bot sent ``chat`` after the first ``mark``, once one has ``text``."""
    messages = await chat.wait_until(lambda ms: any(text in m["text"] for m in ms[mark:]))
    return messages[mark:]


async def test_olivia_asks_on_telegram_and_sam_answers_her_there(
    stack: Stack, browser: Browser, olivia: TelegramChat
) -> None:
    sam = await console(browser, stack, SAM)  # online: a person will take it
    await olivia.say(ASK)
    await sent_after(olivia, 0, TAKING_OVER)

    row = queue_row(sam, OLIVIA)
    await expect(row).to_contain_text("Demo Kitchen Group", timeout=LIVE)
    await expect(row).to_contain_text("telegram")
    await expect(row).to_contain_text("Waiting")
    await open_conversation(sam, OLIVIA, "telegram")
    await expect(sam.locator("#packet-channel")).to_have_text("telegram")
    await expect(sam.locator("#earlier")).to_contain_text(ASK)

    mark = len(olivia.received())
    await take(sam)
    await sent_after(olivia, mark, "Sam from support has joined the conversation.")

    mark = len(olivia.received())
    await olivia.say("my DoorDash is down since noon")
    transcript = sam.locator("#transcript")
    await expect(transcript).to_contain_text("my DoorDash is down since noon", timeout=LIVE)
    await asyncio.sleep(QUIET_SECONDS)
    quiet = olivia.received()[mark:]
    assert quiet == [], f"the assistant answered while Sam holds the conversation: {quiet}"

    await reply(sam, "Hi Olivia, Sam here: let me check DoorDash")
    [agent_said] = await sent_after(olivia, mark, "Sam (support): ")
    assert agent_said["text"] == "Sam (support): Hi Olivia, Sam here: let me check DoorDash"

    mark = len(olivia.received())
    await hand_back(sam)
    await sent_after(olivia, mark, "Sam from support handed you back to the assistant")
    assert open_handoff_of(stack, OLIVIA, "telegram") is None

    mark = len(olivia.received())
    await olivia.say("status")
    answer = texts(await sent_after(olivia, mark, "Uber Eats — main"))
    assert "(support)" not in answer
