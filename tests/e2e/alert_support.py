"""What the live-alert tests share: breaking a link, reading the outbox and the POS
tickets, waiting until the dispatcher has nothing left to send, and reading the e-mails
the local SMTP server received (docs/alerts-contract.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage, Message
from typing import Any

import httpx

from bot.config import get_settings
from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.identity import Identity, sign_identity
from bot.launcher import ROOT, Stack
from tests.e2e.channel_fixtures import DASHBOARD_URL
from tests.e2e.repair_support import internal_headers, post_credentials

PHONES = {
    "olivia": "+15550000001",
    "marc": "+15550000002",
    "sofia": "+15550000003",
    "hank": "+15550000009",
}
EMAILS = {
    "olivia": "olivia@demo-kitchen.test",
    "marc": "marc@demo-kitchen.test",
    "sofia": "sofia@demo-kitchen.test",
    "hank": "hank@harbor-pizza.test",
}
WAITING = ("pending", "sending")  # outbox states the dispatcher has still to finish


def repair_link(account_id: str) -> str:
    """The dashboard link an alert gives to repair ``account_id``."""
    return f"{DASHBOARD_URL}/?repair={account_id}"


def break_link(
    stack: Stack, provider: str, location: str, error_type: str = "invalid_credentials"
) -> httpx.Response:
    """``POST /internal/sandbox/break``: disconnect a working link as the provider would."""
    return httpx.post(
        f"{stack.platform_url}/internal/sandbox/break",
        json={"provider": provider, "location": location, "error_type": error_type},
        headers=internal_headers(),
        timeout=30,
    )


def make_break(
    stack: Stack, provider: str, location: str, error: str
) -> subprocess.CompletedProcess[str]:
    """``make break``'s command line against the test stack's platform."""
    env = {**os.environ, **stack.child_env(), "PLATFORM_URL": stack.platform_url}
    command = [sys.executable, "-m", "bot.platform.break_cli"]
    command += ["--provider", provider, "--location", location, "--error", error]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def outbox(stack: Stack) -> list[dict[str, Any]]:
    """Every alert outbox row (``GET /internal/alerts/outbox``)."""
    response = httpx.get(
        f"{stack.platform_url}/internal/alerts/outbox", headers=internal_headers(), timeout=30
    )
    response.raise_for_status()
    return list(response.json())


def wait_for(what: str, found: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``found`` until it returns something truthy; that value (fails after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def wait_until_sent(stack: Stack, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The outbox once the dispatcher has finished every row (none pending or sending).

    Only then is "exactly one message" meaningful: the dispatcher had every chance to
    send more.
    """

    def finished() -> list[dict[str, Any]] | None:
        rows = outbox(stack)
        return rows if rows and all(row["state"] not in WAITING for row in rows) else None

    return wait_for("the alert outbox to be sent", finished, timeout)


def pos_tickets(stack: Stack, location: str, organization_id: int) -> list[dict[str, Any]]:
    """The location's POS tickets not fetched yet (fetching marks them fetched)."""
    response = httpx.get(
        f"{stack.platform_url}/internal/pos/tickets",
        params={"location": location, "organization_id": organization_id},
        headers=internal_headers(),
        timeout=30,
    )
    response.raise_for_status()
    return list(response.json())


def reconnect(stack: Stack, user_id: int, account_id: str, login: str) -> str:
    """Pair ``account_id`` again with the sandbox password, as its pairing page would."""
    secret = get_settings().identity_secret.get_secret_value()
    token = sign_identity(Identity(user_id, "web:alerts-flap", "web"), secret, 60)
    response = httpx.post(
        f"{stack.platform_url}/api/v1/repair/pairings",
        json={"account_id": account_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return post_credentials(response.json()["url"], login, "demo-password").outcome or ""


def text_of(mail: Message) -> str:
    """The plain-text part of an e-mail."""
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, f"no text part in {mail['Subject']!r}"
    return str(body.get_content())  # type: ignore[attr-defined]


def html_of(mail: Message) -> str:
    """The HTML part of an e-mail."""
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(preferencelist=("html",))
    assert body is not None, f"no HTML part in {mail['Subject']!r}"
    return str(body.get_content())  # type: ignore[attr-defined]


def nothing_for(name: str, smtp: FakeSmtpServer, twilio: FakeTwilioServer) -> bool:
    """Whether ``name`` received no alert at all (no e-mail, no SMS)."""
    return not smtp.messages(to=EMAILS[name]) and not twilio.messages(to=PHONES[name])
