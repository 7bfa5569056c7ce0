"""The pairing page in a real headless Chromium (Debian's, never downloaded): opened from
the chat, filled, submitted; a used link and an expired link show the error page."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import expect

from bot.config import get_settings
from bot.identity import Identity, sign_identity
from bot.launcher import Stack
from bot.platform.api.app import create_app
from bot.platform.demo import load_demo
from bot.ports import free_port


async def test_olivia_pairs_uber_eats_in_the_browser(stack: Stack, page, fresh_demo) -> None:
    await page.goto(stack.gateway_url + "/")
    await page.get_by_role("button", name="Chat as Olivia Owner").click()
    await expect(page.locator("#chat-status")).to_contain_text("Connected as Olivia Owner")
    await page.get_by_label("Your message").fill("please reconnect my Uber Eats account")
    await page.get_by_role("button", name="Send").click()

    link = page.locator(".bubble.bot a[href*='/pair/']").last
    await expect(link).to_be_visible(timeout=60_000)
    url = await link.get_attribute("href")
    async with page.context.expect_page() as opened:
        await link.click()
    pairing = await opened.value
    await pairing.wait_for_load_state()
    await pairing.locator("input[name=email]").fill("ubereats@demo-kitchen.test")
    await pairing.locator("input[name=password]").fill("demo-password")
    await pairing.locator("form#credentials button[type=submit]").click()
    await expect(pairing.locator("#result")).to_have_attribute("data-outcome", "succeeded")

    # Back in the chat, the conversation went on by itself.
    back = page.locator(".bubble.bot").filter(has_text="Airport / Burger Barn").last
    await expect(back).to_be_visible(timeout=60_000)

    # The link was used: opening it again shows the error page and changes nothing.
    response = await pairing.goto(url)
    assert response is not None and response.status == 410
    await expect(pairing.locator("#result")).to_have_attribute("data-outcome", "gone")


@pytest.fixture
def short_lived_platform(tmp_path: Path) -> Iterator[str]:
    """A platform of its own whose pairing links expire after one second."""
    database_url = f"sqlite:///{tmp_path / 'platform.db'}"
    load_demo(database_url)
    port = free_port()
    settings = get_settings().model_copy(
        update={
            "database_url": database_url,
            "pairing_ttl_seconds": 1,
            "platform_port": port,
            "platform_url": f"http://127.0.0.1:{port}",
            "gateway_url": "http://127.0.0.1:9",  # nobody listens: notifications just fail
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


async def test_an_expired_link_shows_the_error_page(short_lived_platform: str, page) -> None:
    base = short_lived_platform
    headers = {"Authorization": f"Bearer {get_settings().internal_token.get_secret_value()}"}
    olivia = httpx.get(
        f"{base}/internal/users", params={"email": "olivia@demo-kitchen.test"}, headers=headers
    ).json()
    secret = get_settings().identity_secret.get_secret_value()
    token = sign_identity(Identity(int(olivia["id"]), "web:expiry-test", "web"), secret, 60)
    created = httpx.post(
        f"{base}/api/v1/repair/pairings",
        json={"account_id": "ue-main", "lang": "en"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    time.sleep(1.5)

    response = await page.goto(url)
    assert response is not None and response.status == 410
    await expect(page.locator("#result")).to_have_attribute("data-outcome", "gone")
    assert await page.locator("input[name=password]").count() == 0
