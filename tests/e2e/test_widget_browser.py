"""The demo dashboard's chat widget in a real headless Chromium (Debian's, never downloaded)."""

from __future__ import annotations

from playwright.async_api import expect

from bot.launcher import Stack


async def test_olivia_checks_status_in_the_widget(stack: Stack, page) -> None:
    await page.goto(stack.gateway_url + "/")
    await page.get_by_role("button", name="Chat as Olivia Owner").click()
    await expect(page.locator("#chat-status")).to_contain_text("Connected as Olivia Owner")

    await page.get_by_label("Your message").fill("which of my stores are disconnected?")
    await page.get_by_role("button", name="Send").click()
    answer = page.locator(".bubble.bot").filter(has_text="DoorDash — main").first
    await expect(answer).to_contain_text("Downtown / Taco Town", timeout=60_000)
    await expect(answer.get_by_role("button", name="Reconnect DoorDash — main")).to_be_visible()
    working = page.locator(".bubble.bot").filter(has_text="Working:")
    await expect(working).to_contain_text("Grubhub — main")

    await answer.get_by_role("button", name="Reconnect DoorDash — main").click()
    await expect(page.locator(".bubble.user").last).to_have_text(
        "You said: Reconnect DoorDash — main"
    )
    await expect(page.locator(".bubble.bot").last).to_contain_text("DoorDash", timeout=60_000)

    # Typed "/..." text is shown and sent as plain text, never as a command.
    bot_bubbles = page.locator(".bubble.bot")
    before = await bot_bubbles.count()
    await page.get_by_label("Your message").fill("/status")
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".bubble.user").last).to_have_text("You said: /status")
    await expect(bot_bubbles.nth(before)).to_be_visible(timeout=60_000)
