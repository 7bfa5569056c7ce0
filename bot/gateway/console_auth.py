"""The support console's sessions: a signed cookie per agent and a CSRF token bound to it.

* ``console_session``: a JWT (``aud=console``) signed with the gateway's session secret,
  carrying the agent's id, name and a random CSRF nonce; HttpOnly, SameSite=Strict,
  valid ``CONSOLE_SESSION_TTL_SECONDS``.
* CSRF, double submit: the token is also in the ``console_csrf`` cookie, and every POST
  must carry it back (form field ``csrf_token`` or header ``X-CSRF-Token``). Once signed
  in, the token must also be the one the session was signed with, so a token from
  another session (or a planted cookie) is refused. Before login, the login form's token
  is only checked against the ``console_csrf`` cookie the form page set.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jwt
from fastapi import HTTPException, Request, Response

from bot.config import Settings

SESSION_COOKIE = "console_session"
CSRF_COOKIE = "console_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
AUDIENCE = "console"
ISSUER = "merchant-assistant-gateway"
ALGORITHM = "HS256"
MAX_FORM_BYTES = 8_000  # an e-mail, a password and a token


@dataclass(frozen=True)
class AgentSession:
    """The agent a valid session cookie was issued to."""

    agent_id: int
    name: str
    email: str
    csrf: str

    @property
    def first_name(self) -> str:
        """The name agents see each other by ("Sam")."""
        return self.name.split()[0] if self.name.strip() else self.email


class NotSignedIn(Exception):
    """No session cookie, or one that is expired or forged."""


def session_ttl(settings: Settings) -> int:
    """``CONSOLE_SESSION_TTL_SECONDS`` (default 43200)."""
    return int(settings.console_session_ttl_seconds)


def _secret(settings: Settings) -> str:
    secret = settings.session_secret.get_secret_value()
    if not secret:
        raise RuntimeError("SESSION_SECRET is empty: run `python -m bot.secrets` first")
    return secret


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(24)


def sign_agent_session(settings: Settings, agent: dict[str, Any], csrf: str) -> str:
    """The ``console_session`` cookie value for ``agent`` (``id, name, email``)."""
    now = int(time.time())
    claims = {
        "sub": str(agent["id"]),
        "name": str(agent.get("name", "")),
        "email": str(agent.get("email", "")),
        "csrf": csrf,
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": now,
        "exp": now + session_ttl(settings),
    }
    return jwt.encode(claims, _secret(settings), algorithm=ALGORITHM)


def verify_agent_session(settings: Settings, token: str | None) -> AgentSession:
    """The session a cookie value carries; raises :class:`NotSignedIn`."""
    if not token:
        raise NotSignedIn("no session")
    try:
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
        return AgentSession(
            agent_id=int(claims["sub"]),
            name=str(claims.get("name", "")),
            email=str(claims.get("email", "")),
            csrf=str(claims["csrf"]),
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise NotSignedIn(str(exc)) from exc


def current_agent(request: Request) -> AgentSession | None:
    """The signed-in agent of this request, or None."""
    settings: Settings = request.app.state.runtime.settings
    try:
        return verify_agent_session(settings, request.cookies.get(SESSION_COOKIE))
    except NotSignedIn:
        return None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookies(
    response: Response, request: Request, settings: Settings, agent: dict[str, Any]
) -> str:
    """Sign ``agent`` in on ``response`` (a fresh CSRF token); the token."""
    csrf = new_csrf_token()
    ttl = session_ttl(settings)
    secure = _secure(request)
    response.set_cookie(
        SESSION_COOKIE,
        sign_agent_session(settings, agent, csrf),
        max_age=ttl,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    set_csrf_cookie(response, request, csrf, ttl)
    return csrf


def set_csrf_cookie(response: Response, request: Request, csrf: str, ttl: int) -> None:
    """The double-submit cookie (HttpOnly: pages get the token from the HTML)."""
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=ttl,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/console",
    )


def clear_session_cookies(response: Response) -> None:
    """Sign out: both cookies removed."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/console", httponly=True, samesite="strict")


async def form_fields(request: Request) -> dict[str, str]:
    """An URL-encoded form's fields (first value of each); empty for anything else."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items() if values}


async def submitted_csrf(request: Request) -> str:
    """The CSRF token a POST carries (header first, then the form field)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    return (await form_fields(request)).get(CSRF_FIELD, "")


def _same(left: str, right: str) -> bool:
    return bool(left) and bool(right) and hmac.compare_digest(left, right)


async def check_csrf(request: Request, session: AgentSession | None) -> None:
    """Refuse (403 ``csrf``) a POST whose token is missing or not this session's.

    Raises:
        HTTPException: 403 when the token is missing or does not match.
    """
    submitted = await submitted_csrf(request)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not _same(submitted, cookie):
        raise HTTPException(status_code=403, detail={"code": "csrf"})
    if session is not None and not _same(submitted, session.csrf):
        raise HTTPException(status_code=403, detail={"code": "csrf"})


async def require_agent(request: Request) -> AgentSession:
    """The signed-in agent of a POST whose CSRF token is right.

    Raises:
        HTTPException: 401 ``not_signed_in``, 403 ``csrf``.
    """
    session = current_agent(request)
    if session is None:
        raise HTTPException(status_code=401, detail={"code": "not_signed_in"})
    await check_csrf(request, session)
    return session
