"""Session-wide stand-ins for Telegram's Bot API and Twilio's REST API, and the settings
that point the stack's gateway at them (docs/channels-contract.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.fake_twilio import FakeTwilioServer

TELEGRAM_TOKEN = "123456:TEST-telegram-token_for-e2e"
TELEGRAM_SECRET = "e2e-telegram-webhook-secret"
TWILIO_SID = "AC" + "e2e0" * 8
TWILIO_AUTH_TOKEN = "e2e-twilio-auth-token-0123456789"


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegramServer]:
    """A local Bot API stand-in, for the whole session."""
    server = FakeTelegramServer(TELEGRAM_TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeTwilioServer]:
    """A local Twilio REST stand-in, for the whole session."""
    server = FakeTwilioServer(TWILIO_SID)
    server.start()
    yield server
    server.stop()


def channel_env(telegram: FakeTelegramServer, twilio: FakeTwilioServer) -> dict[str, str]:
    """The gateway settings for Telegram (webhook mode) and SMS through the stand-ins."""
    return {
        "TELEGRAM_MODE": "webhook",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_BOT_USERNAME": "merchant_assistant_test_bot",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio.url,
    }
