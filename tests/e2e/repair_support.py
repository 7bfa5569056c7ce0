"""What the repair tests share: the demo put back, the sandbox provider set up, the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from bot.config import get_settings
from bot.devtools.webchat_client import BotTurn
from bot.launcher import Stack

LINK = re.compile(r"https?://\S+/pair/[A-Za-z0-9_\-]+")
OUTCOME = re.compile(
    r'id="result"[^>]*data-outcome="([a-z_]+)"|data-outcome="([a-z_]+)"[^>]*id="result"'
)
STEP = re.compile(r'name="step"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="step"')


def internal_headers() -> dict[str, str]:
    """The gateway's and tests' credentials for the platform's internal endpoints."""
    return {"Authorization": f"Bearer {get_settings().internal_token.get_secret_value()}"}


def reset_demo(stack: Stack) -> None:
    """Put the demo's repair state back as DEMO.md describes it."""
    response = httpx.post(
        f"{stack.platform_url}/internal/sandbox/reset", headers=internal_headers(), timeout=30
    )
    response.raise_for_status()


def sandbox(stack: Stack, account_id: str, **settings: Any) -> None:
    """Set the sandbox provider's password, 2FA code or injected failures for an account."""
    response = httpx.put(
        f"{stack.platform_url}/internal/sandbox/accounts/{account_id}",
        json=settings,
        headers=internal_headers(),
    )
    response.raise_for_status()


def link_in(turn: BotTurn) -> str:
    """The pairing link the bot sent."""
    found = LINK.search(turn.text)
    assert found, f"no pairing link in: {turn.text}"
    return found.group(0).rstrip(".,)")


@dataclass
class PageAnswer:
    """What the pairing page showed after a step."""

    status: int
    html: str

    @property
    def outcome(self) -> str | None:
        """The ``data-outcome`` of the page's result, if it shows one."""
        found = OUTCOME.search(self.html)
        return (found.group(1) or found.group(2)) if found else None

    @property
    def step(self) -> str | None:
        """The nonce of the code form, when the page asks for a code."""
        found = STEP.search(self.html)
        return (found.group(1) or found.group(2)) if found else None


def open_page(url: str) -> PageAnswer:
    """GET the pairing page, as a browser would."""
    response = httpx.get(url)
    return PageAnswer(response.status_code, response.text)


def post_credentials(url: str, email: str, password: str) -> PageAnswer:
    """Submit the pairing page's e-mail and password form."""
    response = httpx.post(url, data={"email": email, "password": password}, timeout=30)
    return PageAnswer(response.status_code, response.text)


def post_code(url: str, step: str, code: str) -> PageAnswer:
    """Submit the pairing page's code form."""
    response = httpx.post(f"{url}/code", data={"step": step, "code": code}, timeout=30)
    return PageAnswer(response.status_code, response.text)


def status_of(turn: BotTurn, label: str) -> str:
    """The lines of a status answer about one account (its bubble)."""
    for message in turn.messages:
        text = message.get("text") or ""
        if text.startswith(label):
            return text
    for line in turn.text.splitlines():
        if label in line:
            return line
    raise AssertionError(f"{label} not in: {turn.text}")
