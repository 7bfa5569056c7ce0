"""Signed tokens that carry who is talking.

Two kinds, with separate secrets and audiences:

* the **session token** the web widget presents at socket.io connect (``aud=webchat``),
  minted by the gateway (demo page, ``make token``);
* the short-lived **identity token** the gateway puts into each message's metadata
  (``aud=platform``); the actions pass it on and the platform verifies it on every call,
  because Rasa's REST webhook has no authentication and metadata alone proves nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
SESSION_AUDIENCE = "webchat"
IDENTITY_AUDIENCE = "platform"
ISSUER = "merchant-assistant-gateway"


class InvalidToken(Exception):
    """A token that is missing, expired, forged or for another audience."""


@dataclass(frozen=True)
class Identity:
    """Who sent a message, as the gateway vouches for it."""

    user_id: int
    conversation_id: str
    channel: str
    # The message is the payload of a one-time (side-effect) button the gateway issued
    # in this conversation; by SMS, side effects need it (a caller id can be spoofed).
    confirmed: bool = False


def _sign(claims: dict, secret: str, audience: str, ttl_seconds: int) -> str:
    if not secret:
        raise ValueError("signing secret is empty: run `python -m bot.secrets` first")
    now = int(time.time())
    payload = {
        **claims,
        "aud": audience,
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def _verify(token: str | None, secret: str, audience: str) -> dict:
    if not token or not secret:
        raise InvalidToken("no token")
    try:
        return jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc


def sign_session(user_id: int, secret: str, ttl_seconds: int) -> str:
    """A web-chat session token for ``user_id``."""
    return _sign({"sub": str(user_id)}, secret, SESSION_AUDIENCE, ttl_seconds)


def verify_session(token: str | None, secret: str) -> int:
    """The user id a session token was minted for; raises InvalidToken."""
    claims = _verify(token, secret, SESSION_AUDIENCE)
    try:
        return int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise InvalidToken("bad subject") from exc


def sign_identity(identity: Identity, secret: str, ttl_seconds: int) -> str:
    """The per-message identity token the platform verifies."""
    claims: dict[str, object] = {
        "sub": str(identity.user_id),
        "cid": identity.conversation_id,
        "ch": identity.channel,
    }
    if identity.confirmed:
        claims["cf"] = True
    return _sign(claims, secret, IDENTITY_AUDIENCE, ttl_seconds)


def verify_identity(token: str | None, secret: str) -> Identity:
    """The identity an identity token carries; raises InvalidToken."""
    claims = _verify(token, secret, IDENTITY_AUDIENCE)
    try:
        return Identity(
            int(claims["sub"]),
            str(claims.get("cid", "")),
            str(claims.get("ch", "")),
            confirmed=claims.get("cf") is True,
        )
    except (TypeError, ValueError) as exc:
        raise InvalidToken("bad subject") from exc
