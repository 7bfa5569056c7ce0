"""One real stack per test session: platform, action server, Rasa and gateway on free ports,
started by `make run`'s own launcher, on a fresh copy of the demo data."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import async_playwright

from bot.config import get_settings
from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_telegram import FakeTelegramServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.webchat_client import WebChatUser
from bot.isolated_stacks import drop_isolated_databases, isolated_stack
from bot.launcher import MODEL_PATH, Stack, StackError
from tests.e2e.alert_support import outbox, wait_until_sent
from tests.e2e.channel_fixtures import (
    alert_env,
    channel_env,
    fake_smtp,
    fake_telegram,
    fake_twilio,
)
from tests.e2e.fault_support import Proxies, stores_through
from tests.e2e.repair_support import reset_demo
from tests.e2e.support import session_token

__all__ = ["fake_smtp", "fake_telegram", "fake_twilio"]  # session fixtures the stack uses

pytestmark = pytest.mark.e2e

SESSION_MAX_TURNS = 4
PRODUCTION = os.environ.get("E2E_PROFILE", "embedded") == "production"
"""E2E_PROFILE=production: the same tests against the production profile (PostgreSQL,
Redis, E2E_RASA_WORKERS Rasa workers); ``make test`` runs both."""
ALWAYS_OPEN = "00:00-24:00"  # SUPPORT_HOURS: every day, all day

DEMO_EMAILS = {
    "olivia": "olivia@demo-kitchen.test",
    "marc": "marc@demo-kitchen.test",
    "sofia": "sofia@demo-kitchen.test",
    "hank": "hank@harbor-pizza.test",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fault tests (``@pytest.mark.fault``) run against the production profile only, and
    last: they kill and restart processes of the session's stack."""
    faults = [item for item in items if item.get_closest_marker("fault")]
    if not faults:
        return
    others = [item for item in items if not item.get_closest_marker("fault")]
    if PRODUCTION:
        items[:] = others + faults
    else:
        config.hook.pytest_deselected(items=faults)
        items[:] = others


@pytest.fixture
def fresh_demo(stack: Stack) -> Iterator[None]:
    """The test starts from, and leaves behind, the demo as DEMO.md describes it: store
    links, orders, OTO settings, no handoff open, agents offline."""
    reset_demo(stack)
    yield
    reset_demo(stack)


@pytest.fixture(scope="session")
def proxies() -> Iterator[Proxies]:
    """TCP proxies in front of this machine's PostgreSQL and Redis (production profile)."""
    running = Proxies.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    proxies: Proxies,
    fake_telegram: FakeTelegramServer,
    fake_twilio: FakeTwilioServer,
    fake_smtp: FakeSmtpServer,
) -> Iterator[Stack]:
    """The whole stack, up and healthy, for the session."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` first")
    settings = get_settings()
    workdir = tmp_path_factory.mktemp("stack")
    running = isolated_stack(
        workdir,
        settings.rasa_token.get_secret_value(),
        production=PRODUCTION,
        rasa_workers=int(os.environ.get("E2E_RASA_WORKERS", "2")),
    )
    running.env["RASA_SESSION_MAX_TURNS"] = str(SESSION_MAX_TURNS)  # shortened for tests
    # "now" is within support hours whatever the time of day; outside hours, see
    # support.platform_settings (test_handoff_outside_hours.py)
    running.env["SUPPORT_HOURS"] = ALWAYS_OPEN
    running.env["SANDBOX_HANG_SECONDS"] = "8"  # a hung provider call wakes up within a test
    if PRODUCTION:  # PostgreSQL and Redis through proxies the fault tests can cut
        running.env.update(stores_through(proxies, running.env))
    running.env.update(channel_env(fake_telegram, fake_twilio))
    running.env.update(alert_env(fake_smtp))  # live alerts, with short windows
    try:
        running.start(timeout=600 if PRODUCTION else 240)
    except StackError as exc:
        running.stop()
        pytest.fail(str(exc))
    yield running
    running.stop()
    if PRODUCTION:
        drop_isolated_databases(workdir)


@pytest.fixture(scope="session")
def user_ids(stack: Stack) -> dict[str, int]:
    """Demo users' ids, as the platform knows them."""
    token = get_settings().internal_token.get_secret_value()
    headers = {"Authorization": f"Bearer {token}"}
    ids = {}
    for name, email in DEMO_EMAILS.items():
        response = httpx.get(
            f"{stack.platform_url}/internal/users", params={"email": email}, headers=headers
        )
        response.raise_for_status()
        ids[name] = int(response.json()["id"])
    return ids


@pytest.fixture
async def chat(stack: Stack, user_ids: dict[str, int]) -> AsyncIterator:
    """Open a web chat as a demo user: ``await chat("olivia")``."""
    opened: list[WebChatUser] = []

    async def _open(name: str) -> WebChatUser:
        user = WebChatUser(stack.gateway_url, session_token(user_ids[name]))
        await user.connect()
        opened.append(user)
        return user

    yield _open
    for user in opened:
        await user.close()


@pytest.fixture
def clean_alerts(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> Iterator[None]:
    """For the alert tests: the demo and empty mailboxes first, nothing queued after.

    ``pytestmark = pytest.mark.usefixtures("clean_alerts")`` in test_alerts_*.py.
    """
    reset_demo(stack)  # no incident, outbox row or POS ticket left from before
    fake_smtp.up()
    fake_smtp.clear()
    fake_twilio.clear()
    yield
    fake_smtp.up()
    try:
        if outbox(stack):
            wait_until_sent(stack)  # nothing on the wire while the demo is put back
    finally:
        reset_demo(stack)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
async def page():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,  # Playwright gives each launch a fresh temporary profile
        )
        yield await browser.new_page()
        await browser.close()
