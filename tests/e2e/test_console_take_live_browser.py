"""An agent takes a conversation that never asked for a person, in a real headless
Chromium against the whole stack: Olivia chats with the assistant in the web widget,
Sam finds her in the console's "Live conversations", takes it, answers her, and hands
her back to the assistant."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, expect

from bot.launcher import Stack
from tests.e2e.console_support import (
    BOT_TIMEOUT,
    LIVE,
    SAM,
    bot_said,
    browser,
    console,
    hand_back,
    open_handoffs,
    reply,
    say,
    widget,
)

__all__ = ["browser"]  # fixtures

pytestmark = pytest.mark.usefixtures("fresh_demo")

OLIVIA = "Olivia Owner"
HELLO = "hello"


async def test_sam_takes_olivias_live_conversation_and_hands_it_back(
    stack: Stack, browser: Browser
) -> None:
    olivia = await widget(browser, stack, OLIVIA)
    await say(olivia, HELLO)
    bot_bubbles = olivia.locator(".bubble.bot")
    await expect(bot_bubbles.last).to_be_visible(timeout=BOT_TIMEOUT)

    sam = await console(browser, stack, SAM)
    await sam.get_by_role("link", name="Live conversations").click()
    await expect(sam.get_by_role("heading", name="Live conversations")).to_be_visible()
    row = sam.locator("#live-rows tr").filter(has_text=OLIVIA)
    await expect(row).to_have_count(1, timeout=LIVE)  # the list refreshes every 5 s
    await expect(row).to_contain_text("Demo Kitchen Group")
    await expect(row).to_contain_text("web")
    await expect(row).to_contain_text("English")
    assert open_handoffs(stack) == []  # she never asked for a person

    await row.get_by_role("button", name=f"Take the conversation with {OLIVIA}").click()
    await expect(sam.get_by_role("heading", name=f"Conversation with {OLIVIA}")).to_be_visible()
    await expect(sam.locator("#handoff-state")).to_have_text("You are handling this conversation.")
    await expect(sam.locator("#earlier")).to_contain_text(HELLO)
    await bot_said(olivia, "Sam from support has joined the conversation.")
    [handoff] = open_handoffs(stack)
    assert (handoff["reason"], handoff["state"]) == ("agent", "taken")

    await reply(sam, "Hi Olivia, Sam here: anything I can help with?")
    await bot_said(olivia, "Sam (support): Hi Olivia, Sam here: anything I can help with?")
    before = await bot_bubbles.count()
    await say(olivia, "my DoorDash is down")
    await expect(sam.locator("#transcript")).to_contain_text("my DoorDash is down", timeout=LIVE)
    await asyncio.sleep(2)  # the turn is over: the assistant said nothing
    assert await bot_bubbles.count() == before

    await hand_back(sam)
    await bot_said(olivia, "handed you back to the assistant")
    before = await bot_bubbles.count()
    await say(olivia, "status")
    await expect(bot_bubbles.nth(before)).to_be_visible(timeout=BOT_TIMEOUT)
    assert "(support)" not in await bot_bubbles.nth(before).inner_text()
    assert open_handoffs(stack) == []
