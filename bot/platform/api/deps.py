"""FastAPI dependencies: the database session, the caller's identity, the internal token."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bot.identity import Identity, InvalidToken, verify_identity
from bot.platform.api.state import PlatformState
from bot.platform.models import User
from bot.platform.services.users import get_user
from bot.side_effects import CONFIRMED_CHANNELS

identity_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="IdentityToken",
    description="The short-lived identity token the gateway signed for the current message.",
)
internal_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="InternalToken",
    description="The INTERNAL_TOKEN shared by the platform and the gateway.",
)


def unauthorized() -> HTTPException:
    """The one 401 answer: it never says which check failed."""
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail={"code": "unauthorized"},
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_state(request: Request) -> PlatformState:
    """The app's :class:`PlatformState`."""
    return request.app.state.platform


async def get_session(
    state: Annotated[PlatformState, Depends(get_state)],
) -> AsyncIterator[Session]:
    """A session for one request, closed (and rolled back if uncommitted) afterwards.

    The request first takes one of the ``DB_POOL_SIZE`` request slots, waiting on the
    event loop (see :meth:`PlatformState.request_slots`), so it never waits for a pooled
    connection while holding a worker thread."""
    async with state.request_slots():
        session = state.sessions()()
        try:
            yield session
        finally:
            with anyio.CancelScope(shield=True):  # a client gone away still closes it
                # its own limiter: closing never waits for a busy worker thread
                await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))


@dataclass(frozen=True)
class Caller:
    """The verified caller: the user and the identity token's conversation and channel."""

    user: User
    identity: Identity


def current_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(identity_bearer)],
    state: Annotated[PlatformState, Depends(get_state)],
    session: Annotated[Session, Depends(get_session)],
) -> Caller:
    """The user (and conversation) an ``Authorization: Bearer <identity token>`` vouches for.

    Raises:
        HTTPException: 401 ``unauthorized`` when the token is missing, forged, expired,
            for another audience, or names no user.
    """
    if credentials is None:
        raise unauthorized()
    secret = state.settings.identity_secret.get_secret_value()
    try:
        identity = verify_identity(credentials.credentials, secret)
    except InvalidToken:
        raise unauthorized() from None
    user = get_user(session, identity.user_id)
    if user is None:
        raise unauthorized()
    return Caller(user=user, identity=identity)


def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    """The user an ``Authorization: Bearer <identity token>`` header vouches for.

    Raises:
        HTTPException: 401 ``unauthorized`` (see :func:`current_caller`).
    """
    return caller.user


def confirmed_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """The caller, for an endpoint with a side effect (cancel, activate, reconnect...).

    By SMS a caller id can be spoofed, so the message must be the one-time confirmation
    the gateway issued in that conversation (a random code the bot just sent).

    Raises:
        HTTPException: 403 ``confirmation_required`` for an SMS message without it.
    """
    identity = caller.identity
    if identity.channel in CONFIRMED_CHANNELS and not identity.confirmed:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN, detail={"code": "confirmation_required"}
        )
    return caller


def confirmed_user(caller: Annotated[Caller, Depends(confirmed_caller)]) -> User:
    """The user of :func:`confirmed_caller`."""
    return caller.user


def require_internal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(internal_bearer)],
    state: Annotated[PlatformState, Depends(get_state)],
) -> None:
    """Let the call through only with ``Authorization: Bearer <INTERNAL_TOKEN>``.

    Raises:
        HTTPException: 401 ``unauthorized`` when the token is missing or wrong, or when
            no internal token is configured.
    """
    expected = state.settings.internal_token.get_secret_value()
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise unauthorized()


DbSession = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[User, Depends(current_user)]
CurrentCaller = Annotated[Caller, Depends(current_caller)]
ConfirmedCaller = Annotated[Caller, Depends(confirmed_caller)]
ConfirmedUser = Annotated[User, Depends(confirmed_user)]
State = Annotated[PlatformState, Depends(get_state)]
