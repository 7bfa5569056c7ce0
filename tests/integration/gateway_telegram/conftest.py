"""Fixtures of the Telegram channel tests, with the real python-telegram-bot.

The gateway app runs with its lifespan under httpx's ASGI transport; the platform API is
the real app on this test's demo database (in-process, ASGI transport); Rasa is a
MockTransport stand-in that records what it receives (and checks the identity token);
Telegram's Bot API is :class:`FakeTelegramServer` on a free port, which the gateway's
real ``telegram.Bot`` calls over HTTP. Updates are POSTed to the webhook as Telegram
would, or queued for ``getUpdates`` in polling mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.gateway.app import create_app as create_gateway
from bot.platform.api import create_app as create_platform
from tests.integration.conftest import make_settings
from tests.integration.gateway_telegram.stack import (
    BOT_USERNAME,
    SECRET,
    TOKEN,
    Harness,
    RasaStandIn,
)


@pytest.fixture
def db_url(sqlite_url) -> str:
    """SQLite only: the platform's channel endpoints are tested on both engines elsewhere."""
    return sqlite_url


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegramServer]:
    server = FakeTelegramServer(TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_gateway(
    demo_db_url, telegram, user_ids
) -> Callable[..., AbstractAsyncContextManager[Harness]]:
    """``async with open_gateway(telegram_mode="polling") as gw``: a fresh gateway."""

    @asynccontextmanager
    async def build(**overrides: object) -> AsyncIterator[Harness]:
        telegram.clear()
        platform = create_platform(make_settings(demo_db_url))
        rasa = RasaStandIn()
        values: dict[str, object] = {
            "telegram_mode": "webhook",
            "telegram_bot_token": TOKEN,
            "telegram_api_base_url": f"{telegram.url}/bot",
            "telegram_webhook_secret": SECRET,
            "telegram_bot_username": BOT_USERNAME,
            "session_secret": "integration-session-secret-0123456789",
            "platform_url": "http://platform.test",
            "rasa_url": "http://rasa.test",
            **overrides,
        }
        settings = make_settings(demo_db_url, **values)
        app = create_gateway(
            settings,
            platform_transport=httpx.ASGITransport(app=platform),
            rasa_transport=httpx.MockTransport(rasa.handle),
        )
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://gateway.test"
                ) as client:
                    yield Harness(client, rasa, telegram, user_ids)
        finally:
            platform.state.platform.dispose()

    return build


@pytest.fixture
async def gw(open_gateway) -> AsyncIterator[Harness]:
    async with open_gateway() as harness:
        yield harness
