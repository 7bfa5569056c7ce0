"""The signed one-click unsubscribe link carried by every alert e-mail.

Each recipient gets their own token: a JWT signed with ``IDENTITY_SECRET`` (the secret
the platform, where the dispatcher runs, and the gateway, which serves the page, already
share) with its own audience and ``purpose: "unsubscribe_email"``, so it can never pass
for an identity or session token (nor they for it). It carries the user id and the
recipient's language, and does not expire: it lives in e-mails that may be read months
later, and all it can do is turn that user's alert e-mails off.

The link is ``<DASHBOARD_URL>/alerts/unsubscribe?t=<token>`` (the gateway serves it,
:mod:`bot.gateway.unsubscribe`). This module imports neither the platform nor a database:
the gateway verifies tokens with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import quote

import jwt

from bot.config import Settings
from bot.identity import ALGORITHM, InvalidToken

PURPOSE = "unsubscribe_email"
AUDIENCE = "alerts-unsubscribe"
ISSUER = "merchant-assistant-alerts"
LANGUAGES = ("en", "fr", "es")
PATH = "/alerts/unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """Whose alert e-mails a valid token turns off, and the language of their page."""

    user_id: int
    language: str


def sign_unsubscribe(user_id: int, secret: str, language: str = "en") -> str:
    """The unsubscribe token of ``user_id`` (no expiry).

    Raises:
        ValueError: The secret is empty (``python -m bot.secrets`` was not run).
    """
    if not secret:
        raise ValueError("signing secret is empty: run `python -m bot.secrets` first")
    claims = {
        "sub": str(int(user_id)),
        "purpose": PURPOSE,
        "lang": language if language in LANGUAGES else "en",
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": int(time.time()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_unsubscribe(token: str | None, secret: str) -> Unsubscribe:
    """Who an unsubscribe token was signed for.

    Raises:
        InvalidToken: Missing, forged, signed with another secret, for another audience,
            or not for the ``unsubscribe_email`` purpose.
    """
    if not token or not secret:
        raise InvalidToken("no token")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "aud", "iss", "purpose"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("purpose") != PURPOSE:
        raise InvalidToken("wrong purpose")
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise InvalidToken("bad subject") from exc
    language = claims.get("lang")
    return Unsubscribe(user_id, language if language in LANGUAGES else "en")


def unsubscribe_url(settings: Settings, user_id: int, language: str = "en") -> str:
    """The recipient's one-click unsubscribe link (https in production)."""
    token = sign_unsubscribe(user_id, settings.identity_secret.get_secret_value(), language)
    return f"{settings.effective_dashboard_url()}{PATH}?t={quote(token, safe='')}"
