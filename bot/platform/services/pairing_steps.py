"""The pairing page's steps: credentials, then a 2FA/MFA code from the page or the chat.

The credentials step uses the link up; a code may follow, from the page (with the
page's one-time ``step`` nonce) or from the chat (through the gateway). Passwords
exist only encrypted in ``provider_credentials``; codes are never kept. Wrong codes
count towards the account's lock (see ``pairing_lockout``).

Every step is audit-logged (who, account, stores, result — never a secret) and
committed here; the API notifies the gateway afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import (
    PairingSession,
    ProviderAccount,
    ProviderCredential,
    utcnow,
)
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.deadline import ProviderNotResponding
from bot.platform.providers.registry import adapter_for
from bot.platform.secrets_box import SecretsBox, new_token, sha256_hex
from bot.platform.services.errors import NoPendingCode
from bot.platform.services.pairing_lockout import (
    attempts_left,
    clear_wrong_codes,
    count_wrong_code,
    lock_out,
    locked_until,
)
from bot.platform.services.pairing_records import (
    PageContext,
    audit_pairing,
    find_by_token,
    finish_pairing,
    page_context_for,
)
from bot.platform.services.pairing_views import effective_state, latest_pairing
from bot.platform.services.repair_accounts import account_ref, apply_connection, problem_text

_CODE_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class StepResult:
    """The result of a credentials or code step.

    Attributes:
        outcome: ``gone`` (unknown, expired, used or superseded link: nothing changed),
            or the pairing's new outcome: ``needs_code``, ``code_rejected``,
            ``invalid_credentials``, ``locked``, ``succeeded``, ``new_error``,
            ``provider_error``.
        pairing_id: The pairing's id (``None`` when gone).
        page: What the page shows (``None`` when gone).
        step: A fresh code-form nonce (page steps that lead to a code form).
        attempts_left: Wrong codes left before the account's pairing is locked.
        locked_until: When the lock ends (``locked``).
        problem: The new error in plain words (``new_error``).
        notify: Where to tell the gateway the conversation can go on:
            ``(conversation_id, user_id, channel)``, or ``None``.
    """

    outcome: str
    pairing_id: str | None = None
    page: PageContext | None = None
    step: str | None = None
    attempts_left: int = 0
    locked_until: datetime | None = None
    problem: str | None = None
    notify: tuple[str, int, str] | None = None


def submit_credentials(
    session: Session,
    settings: Settings,
    token: str,
    login: str,
    password: str,
    *,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> StepResult:
    """The page's credentials step: sign in through the provider's adapter.

    The link is used up whatever the provider answers. An accepted password is kept
    encrypted (the only place it exists); a refused one is forgotten.

    Args:
        session: An open session (committed here).
        settings: Windows and the credentials key.
        token: The link token from the page's URL.
        login: The provider login (e-mail) typed on the page.
        password: The password typed on the page.
        adapter: The provider adapter (the registry's by default).
        now: The current time (tests).
    """
    now = now or utcnow()
    pairing = find_by_token(session, token)
    if pairing is None:
        return StepResult("gone")
    account = _lock(session, pairing)
    if effective_state(pairing, now)[0] != "open":
        return StepResult("gone")
    box = SecretsBox(settings.credentials_key)
    adapter = adapter or adapter_for(session, settings, account.provider_key)
    context = page_context_for(session, pairing, account)
    login = login.strip()

    refused = _if_locked(session, pairing, account, context, now, "repair.pairing_credentials")
    if refused is not None:
        return refused

    answer = adapter.sign_in(account_ref(account), login, password)
    if answer.outcome in ("needs_code", "authorized"):
        _keep_credentials(session, box, account.id, login, password, pairing.user_id, now)
    audit_pairing(session, pairing, account, "repair.pairing_credentials", result=answer.outcome)

    if answer.outcome == "needs_code":
        step = new_token()
        pairing.state, pairing.outcome = "awaiting_code", "needs_code"
        pairing.step_hash = sha256_hex(step)
        session.commit()
        attempts = attempts_left(session, settings, account.id, now)
        return _result(pairing, context, "needs_code", step=step, attempts_left=attempts)
    if answer.outcome == "authorized":
        return _authorized(session, adapter, pairing, account, context, now)
    outcome = "invalid_credentials" if answer.outcome == "invalid_credentials" else "provider_error"
    finish_pairing(pairing, "failed", outcome, now)
    session.commit()
    return _result(pairing, context, outcome)


def submit_page_code(
    session: Session,
    settings: Settings,
    token: str,
    step: str,
    code: str,
    *,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> StepResult:
    """The page's code step; needs the link token and the page's current ``step`` nonce."""
    now = now or utcnow()
    pairing = find_by_token(session, token)
    if pairing is not None:
        _lock(session, pairing)
    if (
        pairing is None
        or effective_state(pairing, now)[0] != "awaiting_code"
        or not pairing.step_hash
        or not step
        or sha256_hex(step) != pairing.step_hash
    ):
        return StepResult("gone")
    return _submit_code(session, settings, pairing, code, "page", adapter, now)


def submit_chat_code(
    session: Session,
    settings: Settings,
    user_id: int,
    conversation_id: str,
    code: str,
    *,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> StepResult:
    """A code the user typed in the chat (the gateway hands it over; no notification).

    Raises:
        NoPendingCode: No pairing of that user's conversation waits for a code.
    """
    now = now or utcnow()
    pairing = latest_pairing(
        session,
        user_id,
        conversation_id,
        PairingSession.state == "awaiting_code",
        PairingSession.expires_at > now,
    )
    if pairing is not None:
        _lock(session, pairing)
        if effective_state(pairing, now)[0] != "awaiting_code":
            pairing = None
    if pairing is None:
        raise NoPendingCode()
    result = _submit_code(session, settings, pairing, code, "chat", adapter, now)
    return replace(result, notify=None, step=None)


def _submit_code(
    session: Session,
    settings: Settings,
    pairing: PairingSession,
    code: str,
    via: str,
    adapter: ProviderAdapter | None,
    now: datetime,
) -> StepResult:
    account = session.get(ProviderAccount, pairing.account_id)  # locked by the caller
    assert account is not None
    adapter = adapter or adapter_for(session, settings, account.provider_key)
    context = page_context_for(session, pairing, account)

    refused = _if_locked(session, pairing, account, context, now, "repair.pairing_code", via=via)
    if refused is not None:
        return refused

    answer = adapter.submit_code(account_ref(account), _CODE_SEPARATORS.sub("", code))
    if answer.outcome == "authorized":
        audit_pairing(session, pairing, account, "repair.pairing_code", via=via, result="accepted")
        return _authorized(session, adapter, pairing, account, context, now)
    if answer.outcome != "code_rejected":
        audit_pairing(
            session, pairing, account, "repair.pairing_code", via=via, result="provider_error"
        )
        finish_pairing(pairing, "failed", "provider_error", now)
        session.commit()
        return _result(pairing, context, "provider_error")

    attempts = count_wrong_code(session, settings, account, now)
    if attempts <= 0:
        until = lock_out(session, settings, account, now)
        return _locked(
            session,
            pairing,
            account,
            context,
            until,
            now,
            "repair.pairing_code",
            via=via,
            result="locked",
            locked_until=until.isoformat(),
        )
    step = new_token() if via == "page" else None
    pairing.outcome = "code_rejected"
    if step is not None:
        pairing.step_hash = sha256_hex(step)
    audit_pairing(
        session,
        pairing,
        account,
        "repair.pairing_code",
        via=via,
        result="rejected",
        attempts_left=attempts,
    )
    session.commit()
    return _result(pairing, context, "code_rejected", step=step, attempts_left=attempts)


def _authorized(
    session: Session,
    adapter: ProviderAdapter,
    pairing: PairingSession,
    account: ProviderAccount,
    context: PageContext,
    now: datetime,
) -> StepResult:
    """Re-check the connection after the provider authorized us, and record it (a
    provider that does not answer the check: the pairing fails, ``provider_error``)."""
    try:
        check = adapter.check_connection(account_ref(account), "pairing")
    except ProviderNotResponding:
        audit_pairing(session, pairing, account, "repair.pairing_result", result="provider_error")
        finish_pairing(pairing, "failed", "provider_error", now)
        session.commit()
        return _result(pairing, context, "provider_error")
    apply_connection(session, account, check, now)
    clear_wrong_codes(session, account.id)
    if check.connected:
        finish_pairing(pairing, "succeeded", "succeeded", now)
        pairing.result = {"error_type": None, "error_case": None}
        problem = None
    else:
        finish_pairing(pairing, "succeeded", "new_error", now)
        pairing.result = {"error_type": check.error_type, "error_case": check.error_case}
        problem = problem_text(account, check.error_type or "", check.error_case, context.language)
    audit_pairing(
        session,
        pairing,
        account,
        "repair.pairing_result",
        result=pairing.outcome,
        error_type=check.error_type,
        error_case=check.error_case,
    )
    session.commit()
    return _result(pairing, context, pairing.outcome, problem=problem)


def _if_locked(
    session: Session,
    pairing: PairingSession,
    account: ProviderAccount,
    context: PageContext,
    now: datetime,
    action: str,
    **audit: Any,
) -> StepResult | None:
    """The ``locked`` result when the account is locked now (see ``_locked``), else ``None``."""
    until = locked_until(account, now)
    if until is None:
        return None
    return _locked(session, pairing, account, context, until, now, action, **audit, result="locked")


def _locked(
    session: Session,
    pairing: PairingSession,
    account: ProviderAccount,
    context: PageContext,
    until: datetime,
    now: datetime,
    action: str,
    **audit: Any,
) -> StepResult:
    """End the pairing as ``locked`` (until ``until``), audit-log ``action``, and commit."""
    finish_pairing(pairing, "locked", "locked", now)
    audit_pairing(session, pairing, account, action, **audit)
    session.commit()
    return _result(pairing, context, "locked", locked_until=until)


def _lock(session: Session, pairing: PairingSession) -> ProviderAccount:
    """Lock the pairing's account, then the pairing, and read both again.

    Every step locks the account first (as starting a pairing does), so concurrent
    steps of one account run one after the other and never deadlock.
    """
    account = session.get(ProviderAccount, pairing.account_id, with_for_update=True)
    assert account is not None  # a foreign key
    session.refresh(account)
    session.refresh(pairing, with_for_update=True)
    return account


def _result(
    pairing: PairingSession, context: PageContext, outcome: str, **values: Any
) -> StepResult:
    notify = None
    if pairing.conversation_id:
        notify = (pairing.conversation_id, pairing.user_id, pairing.channel or "")
    return StepResult(outcome, pairing_id=pairing.id, page=context, notify=notify, **values)


def _keep_credentials(
    session: Session,
    box: SecretsBox,
    account_id: str,
    login: str,
    password: str,
    user_id: int,
    now: datetime,
) -> None:
    credential = session.get(ProviderCredential, account_id)
    if credential is None:
        credential = ProviderCredential(account_id=account_id, login=login, secret="")
        session.add(credential)
    credential.login = login
    credential.secret = box.encrypt(password)
    credential.updated_at = now
    credential.updated_by = user_id
    session.flush()
