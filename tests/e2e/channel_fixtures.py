"""Session-wide stand-ins for Telegram's Bot API, Twilio's REST API and an SMTP server,
and the settings that point the stack at them (docs/channels-contract.md,
docs/alerts-contract.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.fake_twilio import FakeTwilioServer

TELEGRAM_TOKEN = "123456:TEST-telegram-token_for-e2e"
TELEGRAM_SECRET = "e2e-telegram-webhook-secret"
TWILIO_SID = "AC" + "e2e0" * 8
TWILIO_AUTH_TOKEN = "e2e-twilio-auth-token-0123456789"
DASHBOARD_URL = "https://dashboard.e2e.test"  # the base of the repair links in alerts
ALERT_DAMPING_SECONDS = 5  # short windows, so the alert tests wait seconds, not minutes
ALERT_DIGEST_SECONDS = 6


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


@pytest.fixture(scope="session")
def fake_smtp() -> Iterator[FakeSmtpServer]:
    """A local SMTP server (aiosmtpd) recording the alert e-mails, for the whole session."""
    server = FakeSmtpServer()
    server.start()
    yield server
    server.stop()


def alert_env(smtp: FakeSmtpServer) -> dict[str, str]:
    """The platform's alert dispatcher on, with short windows, e-mail to ``smtp``.

    Only the alert tests (test_alerts_*.py) break working links; every test resets the
    demo, which drops any alert still queued.
    """
    return {
        "ALERT_DISPATCHER": "true",
        "ALERT_DAMPING_SECONDS": str(ALERT_DAMPING_SECONDS),
        "ALERT_DIGEST_SECONDS": str(ALERT_DIGEST_SECONDS),
        "ALERT_POLL_SECONDS": "0.5",
        "ALERT_BACKOFF_BASE_SECONDS": "0.5",
        "ALERT_BACKOFF_CAP_SECONDS": "2",
        "ALERT_MAX_ATTEMPTS": "8",  # room for a test to bring the SMTP server back first
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false",
        "SMTP_USERNAME": "",
        "DASHBOARD_URL": DASHBOARD_URL,
    }


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
