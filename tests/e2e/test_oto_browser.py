"""The OTO setup page in a real headless Chromium (Debian's, never downloaded): opened from
the chat, filled, submitted; the chat goes on by itself; the used link shows the gone page."""

from __future__ import annotations

from playwright.async_api import expect

from bot.launcher import Stack


async def test_olivia_sets_up_oto_in_the_browser(stack: Stack, page, fresh_demo) -> None:
    await page.goto(stack.gateway_url + "/")
    await page.get_by_role("button", name="Chat as Olivia Owner").click()
    await expect(page.locator("#chat-status")).to_contain_text("Connected as Olivia Owner")
    await page.get_by_label("Your message").fill("set up the OTO integration")
    await page.get_by_role("button", name="Send").click()
    await page.get_by_role("button", name="Send me the setup link").click(timeout=60_000)

    link = page.locator(".bubble.bot a[href*='/oto-setup/']").last
    await expect(link).to_be_visible(timeout=60_000)
    url = await link.get_attribute("href")
    async with page.context.expect_page() as opened:
        await link.click()
    setup = await opened.value
    await setup.wait_for_load_state()
    token_field = setup.locator("input[name=token]")
    assert await token_field.get_attribute("type") == "password"
    await setup.get_by_label("OTO Retailer ID").fill("OTO-DEMO-1")
    await token_field.fill("oto-demo-token")
    await setup.locator("form#oto-credentials button[type=submit]").click()
    await expect(setup.locator("#result")).to_have_attribute("data-outcome", "saved")

    # Back in the chat, the conversation went on by itself (never showing the token).
    back = page.locator(".bubble.bot").filter(has_text="OTO accepted your Retailer ID").last
    await expect(back).to_be_visible(timeout=60_000)
    assert "oto-demo-token" not in await page.content()

    response = await setup.goto(url)
    assert response is not None and response.status == 410
    await expect(setup.locator("#result")).to_have_attribute("data-outcome", "gone")
    assert await setup.locator("input[name=token]").count() == 0
