"""The demo dashboard: pick a demo user and chat as them (``settings.demo_mode`` only).

When the Telegram channel is on, each demo user also gets a "Link Telegram" button:
``POST /demo/telegram-link`` mints a one-time link code for them on the platform and
answers the ``/start <code>`` command and, when ``TELEGRAM_BOT_USERNAME`` is set, the
``https://t.me/<bot>?start=<code>`` link that sends it.

In a real deployment the merchant dashboard mints session tokens (and link codes) for
its signed-in users; ``/`` then only says so, and ``POST /demo/session`` and
``POST /demo/telegram-link`` do not exist (404).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from bot.gateway.inbound import MAX_MESSAGE_CHARS
from bot.gateway.runtime import GatewayRuntime
from bot.identity import sign_session
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VENDOR_SOCKET_IO = HERE / "static" / "vendor" / "socket.io.min.js"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
# The page loads only its own scripts and styles and talks only to this gateway.
CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter()


class DemoSessionRequest(BaseModel):
    """Body of ``POST /demo/session`` and ``POST /demo/telegram-link``."""

    user_id: int


def _runtime(request: Request) -> GatewayRuntime:
    return request.app.state.runtime


def _user_row(user: dict[str, Any]) -> dict[str, Any]:
    organization = user.get("organization") or {}
    language = str(user.get("language", ""))
    return {
        "id": user.get("id"),
        "name": user.get("name", ""),
        "email": user.get("email", ""),
        "organization": organization.get("name", "") if isinstance(organization, dict) else "",
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
    }


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """The demo dashboard in demo mode; otherwise a page pointing to the real dashboard."""
    runtime = _runtime(request)
    if not runtime.settings.demo_mode:
        return templates.TemplateResponse(
            request, "signin.html", headers={"Content-Security-Policy": CSP}
        )
    users: list[dict[str, Any]] = []
    platform_down = False
    try:
        users = [_user_row(user) for user in await runtime.platform.demo_users()]
    except (PlatformError, PlatformUnavailable) as exc:
        log.warning("demo dashboard: platform lookup failed: %s", exc)
        platform_down = True
    context = {
        "users": users,
        "platform_down": platform_down,
        "client_missing": not VENDOR_SOCKET_IO.exists(),
        "max_chars": MAX_MESSAGE_CHARS,
        "telegram_on": _telegram_on(runtime),
    }
    return templates.TemplateResponse(
        request, "dashboard.html", context, headers={"Content-Security-Policy": CSP}
    )


@router.post("/demo/session")
async def demo_session(body: DemoSessionRequest, request: Request) -> dict[str, str]:
    """A web-chat session token for a demo user (demo mode only, else 404)."""
    runtime = _runtime(request)
    settings = runtime.settings
    if not settings.demo_mode:
        raise HTTPException(status_code=404, detail="Not Found")
    await _check_demo_user(runtime, body.user_id)
    token = sign_session(
        body.user_id, settings.session_secret.get_secret_value(), settings.session_ttl_seconds
    )
    return {"token": token}


@router.post("/demo/telegram-link")
async def demo_telegram_link(body: DemoSessionRequest, request: Request) -> dict[str, str | None]:
    """A one-time Telegram link code for a demo user (demo mode with Telegram on, else 404).

    Returns:
        ``{"code", "expires_at", "command": "/start <code>", "link"}``; ``link`` is the
        ``https://t.me/<bot>?start=<code>`` deep link, or None without a bot username.
    """
    runtime = _runtime(request)
    settings = runtime.settings
    if not settings.demo_mode or not _telegram_on(runtime):
        raise HTTPException(status_code=404, detail="Not Found")
    await _check_demo_user(runtime, body.user_id)
    try:
        minted = await runtime.platform.telegram_link_code(body.user_id)
    except (PlatformError, PlatformUnavailable) as exc:
        raise HTTPException(status_code=503, detail="platform unavailable") from exc
    if not minted or not isinstance(minted.get("code"), str):
        raise HTTPException(status_code=404, detail="no such demo user")
    code = minted["code"]
    username = settings.telegram_bot_username.strip().lstrip("@")
    return {
        "code": code,
        "expires_at": str(minted.get("expires_at") or ""),
        "command": f"/start {code}",
        "link": f"https://t.me/{quote(username)}?start={quote(code)}" if username else None,
    }


def _telegram_on(runtime: GatewayRuntime) -> bool:
    return runtime.settings.telegram_mode.strip().lower() in ("webhook", "polling")


async def _check_demo_user(runtime: GatewayRuntime, user_id: int) -> None:
    """Raise 404 unless ``user_id`` is a demo user (503 when the platform cannot say)."""
    try:
        demo_ids = {user.get("id") for user in await runtime.platform.demo_users()}
    except (PlatformError, PlatformUnavailable) as exc:
        raise HTTPException(status_code=503, detail="platform unavailable") from exc
    if user_id not in demo_ids:
        raise HTTPException(status_code=404, detail="no such demo user")
