"""Repair endpoints for the caller (identity token): pairings, the portal-steps check,
"I'll do this later" and repair requests."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, status

from bot.platform.api.deps import ConfirmedCaller, CurrentCaller, CurrentUser, DbSession, State
from bot.platform.api.errors import ERROR_RESPONSES, http_error
from bot.platform.api.repair_schemas import (
    CheckOut,
    DeferOut,
    LangIn,
    PairingIn,
    PairingOut,
    RequestOut,
    StartedPairingOut,
)
from bot.platform.api.schemas import ErrorOut
from bot.platform.services import pairing, repair_check
from bot.platform.services.errors import ServiceError

router = APIRouter(prefix="/api/v1/repair", responses=ERROR_RESPONSES, tags=["repair"])

_LANG = Query(None, description="en, fr or es; default: the pairing's language")


@router.post(
    "/pairings",
    response_model=StartedPairingOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"model": ErrorOut, "description": "not_broken, or portal_steps (steps first)"},
        423: {"model": ErrorOut, "description": "locked, with locked_until"},
    },
)
def start_pairing(
    body: PairingIn, caller: ConfirmedCaller, session: DbSession, state: State
) -> StartedPairingOut:
    """Create a one-time pairing link (expires after ``PAIRING_TTL_SECONDS``) for an account.

    The pairing is bound to the caller, the account and the identity token's
    conversation. The account's earlier live pairings are expired (``superseded``).
    """
    try:
        started = pairing.start_pairing(
            session, state.settings, caller.user, caller.identity, body.account_id, body.lang
        )
    except ServiceError as exc:
        raise http_error(exc) from None
    return StartedPairingOut.model_validate({**asdict(started.view), "url": started.url})


@router.get(
    "/pairings/current",
    response_model=PairingOut,
    responses={404: {"model": ErrorOut, "description": "no_pairing"}},
)
def current_pairing(
    caller: CurrentCaller, session: DbSession, state: State, lang: str | None = _LANG
) -> PairingOut:
    """The newest pairing the caller started from this conversation (identity token's)."""
    try:
        view = pairing.current_pairing(
            session, state.settings, caller.user, caller.identity.conversation_id, lang
        )
    except ServiceError as exc:
        raise http_error(exc) from None
    return PairingOut.model_validate(asdict(view))


@router.get("/pairings/{pairing_id}", response_model=PairingOut)
def pairing_by_id(
    pairing_id: str, user: CurrentUser, session: DbSession, state: State, lang: str | None = _LANG
) -> PairingOut:
    """One pairing, for the user who started it (403 ``forbidden`` for anyone else)."""
    try:
        view = pairing.get_pairing(session, state.settings, user, pairing_id, lang)
    except ServiceError as exc:
        raise http_error(exc) from None
    return PairingOut.model_validate(asdict(view))


@router.post(
    "/accounts/{account_id}/check",
    response_model=CheckOut,
    responses={409: {"model": ErrorOut, "description": "not_portal_steps"}},
)
def check_account(
    account_id: str, body: LangIn, user: CurrentUser, session: DbSession, state: State
) -> CheckOut:
    """After "I've completed these steps": ask the provider whether the fix worked."""
    try:
        result = repair_check.check_after_steps(
            session, state.settings, user, account_id, body.lang
        )
    except ServiceError as exc:
        raise http_error(exc) from None
    return CheckOut.model_validate(asdict(result))


@router.post("/accounts/{account_id}/defer", response_model=DeferOut)
def defer_account(account_id: str, user: CurrentUser, session: DbSession) -> DeferOut:
    """ "I'll do this later": recorded in the audit log; nothing else changes."""
    try:
        ack = repair_check.defer_repair(session, user, account_id)
    except ServiceError as exc:
        raise http_error(exc) from None
    return DeferOut(account_id=ack.account_id, account=ack.account)


@router.post(
    "/accounts/{account_id}/requests",
    response_model=RequestOut,
    status_code=status.HTTP_201_CREATED,
)
def request_account_repair(account_id: str, user: CurrentUser, session: DbSession) -> RequestOut:
    """Ask the organization's integration managers to fix the account.

    The request shows in their status answer (``requested_by``) until the account works.
    """
    try:
        ack = repair_check.request_repair(session, user, account_id)
    except ServiceError as exc:
        raise http_error(exc) from None
    return RequestOut(account_id=ack.account_id, account=ack.account, notified=ack.notified)
