"""The alert e-mails' unsubscribe link: ``/alerts/unsubscribe?t=<token>``.

* ``GET`` shows a small page in the recipient's language (carried by the token) with a
  "Stop alert e-mails" button, a form POST. It changes nothing: mail scanners and link
  previews follow links.
* ``POST`` (token in the form field ``t`` or in the query) turns the user's alert
  e-mails off through the platform's ``POST /internal/alerts/unsubscribe`` and says how
  to turn them back on in chat. Mail clients do it in one click (RFC 8058): they POST
  ``List-Unsubscribe=One-Click`` to the link from the e-mail's headers.

A missing, forged or wrong-purpose token is a 400 page and nothing changes; the platform
out of reach is a 503 page (nothing changed either).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.config import Settings
from bot.gateway.unsubscribe_texts import page_texts
from bot.identity import InvalidToken
from bot.notify.unsubscribe_token import PATH, Unsubscribe, verify_unsubscribe

log = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
PLATFORM_PATH = "/internal/alerts/unsubscribe"
MAX_FORM_BYTES = 8_000  # a token and the one-click marker
CSP = (
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
}


class PlatformRefused(Exception):
    """The platform could not be reached, or would not turn the e-mails off."""


class UnknownRecipient(Exception):
    """A well-signed token for a user the platform does not know (any more)."""


def build_router(
    settings: Settings, platform_transport: httpx.AsyncBaseTransport | None = None
) -> APIRouter:
    """The unsubscribe page's routes.

    Args:
        settings: the process settings (identity secret, platform URL, internal token).
        platform_transport: httpx transport for the platform call (tests only).
    """
    router = APIRouter()

    @router.get(PATH, response_class=HTMLResponse)
    async def ask(request: Request, t: str = "") -> HTMLResponse:
        """The confirmation page (changes nothing)."""
        who = _verified(settings, t)
        if who is None:
            return _invalid(request)
        return _page(request, who.language, "ask", token=t)

    @router.post(PATH, response_class=HTMLResponse)
    async def stop(request: Request) -> HTMLResponse:
        """Turn the token's user's alert e-mails off (the button, or RFC 8058 one-click)."""
        who = _verified(settings, await _token(request))
        if who is None:
            return _invalid(request)
        try:
            await _turn_off(settings, who.user_id, platform_transport)
        except UnknownRecipient:
            log.warning("unsubscribe link of unknown user %s", who.user_id)
            return _invalid(request)
        except PlatformRefused as exc:
            log.warning("alert e-mail unsubscribe for user %s failed: %s", who.user_id, exc)
            return _page(request, who.language, "unavailable", status_code=503)
        log.info("alert e-mails turned off by unsubscribe link (user %s)", who.user_id)
        return _page(request, who.language, "done")

    return router


def _verified(settings: Settings, token: str) -> Unsubscribe | None:
    try:
        return verify_unsubscribe(token, settings.identity_secret.get_secret_value())
    except InvalidToken as exc:
        log.info("unsubscribe link refused: %s", exc)
        return None


async def _token(request: Request) -> str:
    """``t`` from the form body (the page's button), else from the query (one-click)."""
    body = await request.body()
    if len(body) <= MAX_FORM_BYTES:
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("t"):
            return form["t"][0]
    return request.query_params.get("t", "")


async def _turn_off(
    settings: Settings, user_id: int, transport: httpx.AsyncBaseTransport | None
) -> dict[str, Any]:
    """``POST /internal/alerts/unsubscribe {user_id}`` on the platform; its answer.

    Raises:
        UnknownRecipient: 404, no such user.
        PlatformRefused: Unreachable, or another error status.
    """
    headers = {"Authorization": f"Bearer {settings.internal_token.get_secret_value()}"}
    try:
        async with httpx.AsyncClient(
            base_url=settings.effective_platform_url(),
            timeout=settings.platform_timeout,
            transport=transport,
            headers=headers,
        ) as client:
            response = await client.post(PLATFORM_PATH, json={"user_id": user_id})
    except httpx.HTTPError as exc:
        raise PlatformRefused(f"{type(exc).__name__}: {exc}") from None
    if response.status_code == 404:
        raise UnknownRecipient(str(user_id))
    if response.status_code != 200:
        raise PlatformRefused(f"status {response.status_code}: {response.text[:200]}")
    return response.json()


def _invalid(request: Request) -> HTMLResponse:
    """The 400 page (the token says no language: every supported one, English first)."""
    sections = [(language, page_texts(language)) for language in ("en", "fr", "es")]
    return TEMPLATES.TemplateResponse(
        request,
        "unsubscribe_invalid.html",
        {"sections": sections},
        status_code=400,
        headers=HEADERS,
    )


def _page(
    request: Request, language: str, step: str, token: str = "", status_code: int = 200
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "unsubscribe.html",
        {"t": page_texts(language), "language": language, "step": step, "token": token},
        status_code=status_code,
        headers=HEADERS,
    )
