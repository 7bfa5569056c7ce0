"""Account pairing: one-time links, the page's steps, 2FA/MFA codes, expiry and lockout.

A pairing session belongs to the user who started it, to one provider account and to
the conversation it was started from. Its link token is single-use (kept only as a
SHA-256 digest): the credentials step uses the link up; a code may follow, from the
page (with the page's one-time ``step`` nonce) or from the chat (through the gateway).
Passwords exist only encrypted in ``provider_credentials``; codes are never kept.

Every step is audit-logged (who, account, stores, result — never a secret) and
committed here; the API notifies the gateway afterwards.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.identity import Identity
from bot.platform.languages import normalize_language
from bot.platform.models import (
    PairingSession,
    ProviderAccount,
    ProviderCredential,
    User,
    utcnow,
)
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.registry import adapter_for
from bot.platform.secrets_box import SecretsBox, new_token, sha256_hex
from bot.platform.services.errors import (
    NoPendingCode,
    NotBroken,
    PairingLocked,
    PortalSteps,
)
from bot.platform.services.pairing_lockout import (
    attempts_left,
    clear_wrong_codes,
    count_wrong_code,
    lock_out,
    locked_until,
)
from bot.platform.services.pairing_views import (
    LIVE_STATES,
    PairingView,
    current_pairing,
    effective_state,
    get_pairing,
    latest_pairing,
    pairing_view,
)
from bot.platform.services.repair_accounts import (
    STORE_CONFIGURATION,
    account_ref,
    account_stores,
    apply_connection,
    audit_account,
    disconnected_links,
    load_account,
    problem_text,
    provider_name,
    require_manager,
)
from bot.platform.services.status import StoreRef

__all__ = [  # the pairing service, including what pairing_views shows
    "LIVE_STATES",
    "PageContext",
    "PairingView",
    "StartedPairing",
    "StepResult",
    "current_pairing",
    "effective_state",
    "get_pairing",
    "page_context",
    "pairing_view",
    "start_pairing",
    "submit_chat_code",
    "submit_credentials",
    "submit_page_code",
    "token_language",
]

_CODE_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class StartedPairing:
    """A new pairing and its one-time link (the only place the link's token exists)."""

    view: PairingView
    url: str


@dataclass(frozen=True)
class PageContext:
    """What the pairing page shows about the pairing (no secrets)."""

    language: str
    provider: str
    account: str
    login: str
    stores: list[StoreRef]


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


def start_pairing(
    session: Session,
    settings: Settings,
    user: User,
    identity: Identity | None,
    account_id: str,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> StartedPairing:
    """Create a one-time pairing link for an account, superseding its earlier ones.

    Args:
        session: An open session (committed here).
        settings: TTL, windows and the public base URL of the links.
        user: The caller.
        identity: The caller's identity token (its conversation is bound to the pairing).
        account_id: The account to reconnect.
        lang: The pairing page's language.
        now: The current time (tests).

    Raises:
        Forbidden: Unknown account or another organization's.
        NotAllowed: The caller may not manage integrations.
        NotBroken: No store of the account is disconnected.
        PortalSteps: Only store-configuration errors: the portal steps come first.
        PairingLocked: Too many wrong codes recently.
    """
    now = now or utcnow()
    account = load_account(session, user, account_id, for_update=True)
    require_manager(session, user)
    broken = disconnected_links(account)
    if not broken:
        raise NotBroken(account_id)
    if all(link.error_type == STORE_CONFIGURATION for link in broken):
        raise PortalSteps(account_id)
    if account.pairing_locked_until is not None and account.pairing_locked_until > now:
        raise PairingLocked(account.pairing_locked_until)

    superseded = _supersede(session, account.id, now)
    token = new_token()
    language = normalize_language(lang or user.language)
    pairing = PairingSession(
        id=uuid.uuid4().hex,
        token_hash=sha256_hex(token),
        organization_id=account.organization_id,
        user_id=user.id,
        account_id=account.id,
        conversation_id=(identity.conversation_id or None) if identity else None,
        channel=(identity.channel or None) if identity else None,
        language=language,
        state="open",
        outcome="started",
        created_at=now,
        expires_at=now + timedelta(seconds=settings.pairing_ttl_seconds),
    )
    session.add(pairing)
    session.flush()
    _audit(session, pairing, account, "repair.pairing_started", superseded=superseded)
    session.commit()
    url = f"{settings.effective_platform_public_url()}/pair/{token}"
    return StartedPairing(
        view=pairing_view(session, settings, user, pairing, language, now), url=url
    )


def page_context(
    session: Session, token: str, *, now: datetime | None = None
) -> PageContext | None:
    """What the credentials form shows for a live, unused link; ``None`` otherwise.

    Nothing changes, whatever the token.
    """
    pairing = _by_token(session, token)
    if pairing is None or effective_state(pairing, now or utcnow())[0] != "open":
        return None
    account = session.get(ProviderAccount, pairing.account_id)
    return _context(session, pairing, account) if account else None


def token_language(session: Session, token: str) -> str | None:
    """The language of the pairing a token names, whatever its state (for the gone page)."""
    pairing = _by_token(session, token)
    return pairing.language if pairing else None


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
    pairing = _by_token(session, token)
    if pairing is None:
        return StepResult("gone")
    account = _lock(session, pairing)
    if effective_state(pairing, now)[0] != "open":
        return StepResult("gone")
    box = SecretsBox(settings.credentials_key)
    adapter = adapter or adapter_for(session, box, account.provider_key)
    context = _context(session, pairing, account)
    login = login.strip()

    refused = _if_locked(session, pairing, account, context, now, "repair.pairing_credentials")
    if refused is not None:
        return refused

    answer = adapter.sign_in(account_ref(account), login, password)
    if answer.outcome in ("needs_code", "authorized"):
        _keep_credentials(session, box, account.id, login, password, pairing.user_id, now)
    _audit(session, pairing, account, "repair.pairing_credentials", result=answer.outcome)

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
    _finish(pairing, "failed", outcome, now)
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
    pairing = _by_token(session, token)
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
    box = SecretsBox(settings.credentials_key)
    adapter = adapter or adapter_for(session, box, account.provider_key)
    context = _context(session, pairing, account)

    refused = _if_locked(session, pairing, account, context, now, "repair.pairing_code", via=via)
    if refused is not None:
        return refused

    answer = adapter.submit_code(account_ref(account), _CODE_SEPARATORS.sub("", code))
    if answer.outcome == "authorized":
        _audit(session, pairing, account, "repair.pairing_code", via=via, result="accepted")
        return _authorized(session, adapter, pairing, account, context, now)
    if answer.outcome != "code_rejected":
        _audit(session, pairing, account, "repair.pairing_code", via=via, result="provider_error")
        _finish(pairing, "failed", "provider_error", now)
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
    _audit(
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
    """Re-check the connection after the provider authorized us, and record it."""
    check = adapter.check_connection(account_ref(account), "pairing")
    apply_connection(session, account, check, now)
    clear_wrong_codes(session, account.id)
    if check.connected:
        _finish(pairing, "succeeded", "succeeded", now)
        pairing.result = {"error_type": None, "error_case": None}
        problem = None
    else:
        _finish(pairing, "succeeded", "new_error", now)
        pairing.result = {"error_type": check.error_type, "error_case": check.error_case}
        problem = problem_text(account, check.error_type or "", check.error_case, context.language)
    _audit(
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
    _finish(pairing, "locked", "locked", now)
    _audit(session, pairing, account, action, **audit)
    session.commit()
    return _result(pairing, context, "locked", locked_until=until)


def _supersede(session: Session, account_id: str, now: datetime) -> list[str]:
    """Expire the account's live pairings (``superseded``); return their ids."""
    live = session.scalars(
        select(PairingSession)
        .where(PairingSession.account_id == account_id, PairingSession.state.in_(LIVE_STATES))
        .with_for_update()
    ).all()
    for pairing in live:
        outcome = "expired" if now >= pairing.expires_at else "superseded"
        _finish(pairing, "expired", outcome, now)
    session.flush()
    return [pairing.id for pairing in live]


def _finish(pairing: PairingSession, state: str, outcome: str, now: datetime) -> None:
    pairing.state, pairing.outcome = state, outcome
    pairing.step_hash = None
    pairing.finished_at = now


def _by_token(session: Session, token: str) -> PairingSession | None:
    if not token or len(token) > 200:
        return None
    statement = select(PairingSession).where(PairingSession.token_hash == sha256_hex(token))
    return session.scalars(statement).first()


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


def _context(session: Session, pairing: PairingSession, account: ProviderAccount) -> PageContext:
    credential = session.get(ProviderCredential, account.id)
    return PageContext(
        language=pairing.language,
        provider=provider_name(account),
        account=account.label,
        login=credential.login if credential else account.login,
        stores=account_stores(account),
    )


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


def _audit(
    session: Session,
    pairing: PairingSession,
    account: ProviderAccount,
    action: str,
    **detail: Any,
) -> None:
    audit_account(session, account, pairing.user_id, action, pairing_id=pairing.id, **detail)
