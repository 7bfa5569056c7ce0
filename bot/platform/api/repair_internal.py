"""Internal repair endpoints (``Authorization: Bearer <INTERNAL_TOKEN>``): codes typed in
the chat, and the sandbox provider's controls."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.errors import http_error
from bot.platform.api.repair_schemas import (
    CodeIn,
    CodeOut,
    DemoResetOut,
    InjectionOut,
    SandboxIn,
    SandboxOut,
    SandboxResetOut,
)
from bot.platform.api.schemas import ErrorOut
from bot.platform.demo import restore_demo_state
from bot.platform.models import ProviderAccount, SandboxAccount
from bot.platform.providers import sandbox
from bot.platform.secrets_box import SecretsBox
from bot.platform.services import pairing
from bot.platform.services.errors import ServiceError
from bot.platform.services.onboarding_views import onboarding_of_pairing

router = APIRouter(
    prefix="/internal",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}},
    tags=["internal"],
)


@router.post("/repair/codes", response_model=CodeOut)
def submit_code(body: CodeIn, session: DbSession, state: State) -> CodeOut:
    """A code the user typed in the chat, for their conversation's pairing awaiting one.

    404 ``no_pending_code`` when no pairing of that user's conversation waits for a code
    (the gateway then relays the text to Rasa). The gateway is not notified back.
    """
    try:
        result = pairing.submit_chat_code(
            session, state.settings, body.user_id, body.conversation_id, body.code
        )
    except ServiceError as exc:
        raise http_error(exc) from None
    answer = CodeOut(pairing_id=result.pairing_id or "", outcome=result.outcome)
    if onboarding_of_pairing(session, result.pairing_id) is not None:
        answer.continue_intent = "onboarding_update"
        answer.entities = {"onboarding_event": "code_submitted"}
    return answer


@router.put("/sandbox/accounts/{account_id}", response_model=SandboxOut, tags=["sandbox"])
def configure_sandbox_account(
    account_id: str, body: SandboxIn, session: DbSession, state: State
) -> SandboxOut:
    """SANDBOX ONLY: set an account's password and/or 2FA code, append injections.

    404 unless ``SANDBOX_CONTROLS`` is on. The password and the code are kept only as
    HMAC digests and are never echoed.
    """
    _sandbox_account(session, state, account_id)
    box = SecretsBox(state.settings.credentials_key)
    inject = [item.model_dump() for item in body.inject or []]
    try:
        row = sandbox.configure_account(
            session, box, account_id, password=body.password, code=body.code, inject=inject
        )
    except ValueError as exc:
        raise HTTPException(
            status_code=422, detail={"code": "invalid_injection", "value": str(exc)}
        ) from None
    session.commit()
    return _sandbox_out(account_id, row)


@router.delete("/sandbox/accounts/{account_id}", response_model=SandboxResetOut, tags=["sandbox"])
def reset_sandbox_account(account_id: str, session: DbSession, state: State) -> SandboxResetOut:
    """SANDBOX ONLY: forget an account's sandbox state (demo password and code again)."""
    _sandbox_account(session, state, account_id)
    reset = sandbox.reset_account(session, account_id)
    session.commit()
    return SandboxResetOut(account_id=account_id, reset=reset)


@router.post("/sandbox/reset", response_model=DemoResetOut, tags=["sandbox"])
def reset_sandbox(session: DbSession, state: State) -> DemoResetOut:
    """SANDBOX ONLY: put the demo's store links back as DEMO.md describes them and forget
    every pairing, code failure, lock, stored credential, sandbox setting and repair request
    (the audit log is kept). 404 unless ``SANDBOX_CONTROLS`` is on."""
    if not state.settings.sandbox_controls:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})
    return DemoResetOut(restored_links=restore_demo_state(session))


def _sandbox_account(session: DbSession, state: State, account_id: str) -> ProviderAccount:
    account = session.get(ProviderAccount, account_id) if state.settings.sandbox_controls else None
    if account is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})
    return account


def _sandbox_out(account_id: str, row: SandboxAccount) -> SandboxOut:
    return SandboxOut(
        account_id=account_id,
        password_set=row.password_hash is not None,
        code_set=row.code_hash is not None,
        injections=[InjectionOut.model_validate(item) for item in row.injections or []],
    )
