"""The support console in a real headless Chromium, against the whole stack: Olivia asks
for a person in the web widget and Sam (or Ana) answers from the console."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect

from bot.launcher import Stack
from tests.e2e.console_support import (
    ANA,
    BOT_TIMEOUT,
    SAM,
    bot_said,
    browser,
    console,
    open_handoffs,
    queue_row,
    say,
    widget,
)

__all__ = ["browser"]  # fixtures

pytestmark = pytest.mark.usefixtures("fresh_demo")

OLIVIA = "Olivia Owner"
ASK = "I want to talk to a person"
LIVE = 10_000  # the console's queue is pushed within a poll (2 s) of a change


async def olivia_asks_for_a_person(browser: Browser, stack: Stack) -> Page:
    olivia = await widget(browser, stack, OLIVIA)
    await say(olivia, ASK)
    await expect(olivia.locator(".bubble.bot").last).to_be_visible(timeout=BOT_TIMEOUT)
    return olivia


async def open_conversation(agent: Page, user: str = OLIVIA) -> None:
    row = queue_row(agent, user)
    await expect(row).to_have_count(1, timeout=LIVE)
    await row.get_by_role("link", name="Open").click()
    await expect(agent.get_by_role("heading", name=f"Conversation with {user}")).to_be_visible()


async def test_sam_takes_olivia_replies_and_hands_back(stack: Stack, browser: Browser) -> None:
    olivia = await olivia_asks_for_a_person(browser, stack)
    sam = await console(browser, stack, SAM)
    row = queue_row(sam, OLIVIA)
    await expect(row).to_contain_text("Demo Kitchen Group", timeout=LIVE)
    await expect(row).to_contain_text("web")
    await expect(row).to_contain_text("Waiting")
    await expect(sam.get_by_label("Online")).to_be_checked()

    await open_conversation(sam)
    await expect(sam.locator("#packet-organization")).to_have_text("Demo Kitchen Group")
    await expect(sam.locator("#packet-user")).to_contain_text(OLIVIA)
    await expect(sam.locator("#packet-channel")).to_have_text("web")
    await expect(sam.locator("#packet-language")).to_contain_text("en")
    await expect(sam.locator("#earlier")).to_contain_text(ASK)

    await sam.get_by_role("button", name="Take").click()
    await expect(sam.locator("#handoff-state")).to_have_text("You are handling this conversation.")
    await bot_said(olivia, "Sam from support has joined the conversation.")
    await sam.get_by_label("Reply").fill("Hi Olivia, Sam here")
    await sam.get_by_role("button", name="Send").click()
    await bot_said(olivia, "Sam (support): Hi Olivia, Sam here")

    bot_bubbles = olivia.locator(".bubble.bot")
    before = await bot_bubbles.count()
    await say(olivia, "my DoorDash is down")
    await expect(sam.locator("#transcript")).to_contain_text("my DoorDash is down", timeout=LIVE)
    await asyncio.sleep(2)  # the turn is over: the assistant said nothing
    assert await bot_bubbles.count() == before

    await sam.get_by_role("button", name="Hand back").click()
    await expect(sam.locator("#handoff-state")).to_contain_text("handed back")
    await bot_said(olivia, "handed you back to the assistant")
    before = await bot_bubbles.count()
    await say(olivia, "status")
    await expect(bot_bubbles.nth(before)).to_be_visible(timeout=BOT_TIMEOUT)
    assert "(support)" not in await bot_bubbles.nth(before).inner_text()
    assert open_handoffs(stack) == []


async def test_two_agents_take_at_once_and_one_is_told(stack: Stack, browser: Browser) -> None:
    await olivia_asks_for_a_person(browser, stack)
    sam = await console(browser, stack, SAM)
    ana = await console(browser, stack, ANA)
    await open_conversation(sam)
    await open_conversation(ana)

    await asyncio.gather(
        sam.get_by_role("button", name="Take").click(),
        ana.get_by_role("button", name="Take").click(),
    )

    [handoff] = open_handoffs(stack)
    holder = str((handoff.get("agent") or {}).get("name", ""))
    winner, loser = (sam, ana) if holder.startswith("Sam") else (ana, sam)
    first = holder.split()[0]
    await expect(winner.locator("#handoff-state")).to_have_text(
        "You are handling this conversation."
    )
    told = loser.get_by_text(f"{first} is already handling this conversation")
    await expect(told.first).to_be_visible()
    await expect(loser.get_by_role("button", name="Take")).to_be_hidden()
    await expect(loser.locator("#reply")).to_be_hidden()


async def test_olivia_stops_waiting_and_leaves_the_queue(stack: Stack, browser: Browser) -> None:
    sam = await console(browser, stack, SAM)
    olivia = await olivia_asks_for_a_person(browser, stack)
    await expect(queue_row(sam, OLIVIA)).to_have_count(1, timeout=LIVE)  # pushed live

    await say(olivia, "never mind")
    await bot_said(olivia, "you're back with the assistant")
    await expect(queue_row(sam, OLIVIA)).to_have_count(0, timeout=LIVE)
    assert open_handoffs(stack) == []
