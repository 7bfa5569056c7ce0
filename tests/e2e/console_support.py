"""Browser helpers for the support-console tests: one Chromium (Debian's, never
downloaded), a context per person, the demo put back before and after each test."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from bot.launcher import Stack
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.repair_support import internal_headers

SAM = ("sam@support.test", "agent-demo-1")
ANA = ("ana@support.test", "agent-demo-2")
BOT_TIMEOUT = 60_000  # Rasa's first answers can be slow on a loaded machine


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium; each person gets a context of their own (cookies, storage)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def widget(browser: Browser, stack: Stack, name: str) -> Page:
    """The demo dashboard's chat widget, chatting as ``name`` ("Olivia Owner")."""
    page = await (await browser.new_context()).new_page()
    await page.goto(stack.gateway_url + "/")
    await page.get_by_role("button", name=f"Chat as {name}").click()
    await expect(page.locator("#chat-status")).to_contain_text(f"Connected as {name}")
    return page


async def say(page: Page, text: str) -> None:
    """Type ``text`` in the widget and send it; wait until it is shown."""
    await page.get_by_label("Your message").fill(text)
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".bubble.user").last).to_have_text(f"You said: {text}")


async def bot_said(page: Page, text: str) -> None:
    """Wait until a bot bubble of the widget contains ``text``."""
    bubble = page.locator(".bubble.bot").filter(has_text=text)
    await expect(bubble.last).to_be_visible(timeout=BOT_TIMEOUT)


async def console(browser: Browser, stack: Stack, agent: tuple[str, str]) -> Page:
    """An agent signed in to the console, on the queue page."""
    page = await (await browser.new_context()).new_page()
    await page.goto(stack.gateway_url + "/console")
    await page.get_by_label("E-mail").fill(agent[0])
    await page.get_by_label("Password").fill(agent[1])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    return page


def queue_row(page: Page, user: str) -> Locator:
    """The queue row of ``user``'s open handoff."""
    return page.locator("#queue-rows tr").filter(has_text=user)


def open_handoffs(stack: Stack) -> list[dict]:
    """The open handoffs, as the platform lists them to the console."""
    response = httpx.get(
        f"{stack.platform_url}/internal/handoffs",
        params={"state": "waiting,taken"},
        headers=internal_headers(),
    )
    response.raise_for_status()
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


LIVE = 10_000  # the console's queue is pushed within a poll (2 s) of a change


async def open_conversation(agent: Page, user: str, channel: str | None = None) -> None:
    """From the queue, open ``user``'s handoff (on ``channel``, when given)."""
    row = queue_row(agent, user)
    if channel:
        row = row.filter(has=agent.get_by_role("cell", name=channel, exact=True))
    await expect(row).to_have_count(1, timeout=LIVE)
    await row.get_by_role("link", name="Open").click()
    await expect(agent.get_by_role("heading", name=f"Conversation with {user}")).to_be_visible()


async def take(agent: Page) -> None:
    """Take the open conversation; wait until the console says the agent holds it."""
    await agent.get_by_role("button", name="Take").click()
    state = agent.locator("#handoff-state")
    await expect(state).to_have_text("You are handling this conversation.")


async def reply(agent: Page, text: str) -> None:
    """Send ``text`` to the user from the open conversation; wait until it is shown."""
    await agent.get_by_label("Reply").fill(text)
    await agent.get_by_role("button", name="Send").click()
    await expect(agent.locator("#transcript")).to_contain_text(text, timeout=LIVE)


async def hand_back(agent: Page) -> None:
    """Hand the open conversation back to the assistant."""
    await agent.get_by_role("button", name="Hand back").click()
    await expect(agent.locator("#handoff-state")).to_contain_text("handed back")


def open_handoff_of(stack: Stack, user: str, channel: str) -> dict | None:
    """``user``'s open (waiting or taken) handoff on ``channel``, as the console lists it."""
    for handoff in open_handoffs(stack):
        if handoff["channel"] == channel and (handoff.get("user") or {}).get("name") == user:
            return handoff
    return None


async def leave_no_handoff(
    stack: Stack, user: str, channel: str, stop: Callable[[], Awaitable[object]]
) -> None:
    """After a test: if ``user``'s handoff on ``channel`` is still open, ``stop()`` it the
    user's way (they say "cancel": the gateway resumes Rasa's tracker) and wait until it
    has left the queue, so the next test on that conversation talks to the assistant."""
    if open_handoff_of(stack, user, channel) is None:
        return
    await stop()
    for _ in range(60):
        if open_handoff_of(stack, user, channel) is None:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{user}'s {channel} handoff is still open")
