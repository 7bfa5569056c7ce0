"""Account pairing: starting a one-time link, and what its page shows before any step.

A pairing session belongs to the user who started it, to one provider account and to
the conversation it was started from. Its link token is single-use (kept only as a
SHA-256 digest); starting a pairing supersedes the account's earlier live ones. The
page's steps live in ``pairing_steps``, the API views in ``pairing_views``; both are
re-exported here, so callers use this module as the pairing service.

Starting a pairing is audit-logged (who, account, superseded pairings — never a
secret) and committed here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.identity import Identity
from bot.platform.languages import normalize_language
from bot.platform.models import PairingSession, ProviderAccount, User, utcnow
from bot.platform.secrets_box import new_token, sha256_hex
from bot.platform.services.errors import NotBroken, PairingLocked, PortalSteps
from bot.platform.services.pairing_records import (
    PageContext,
    audit_pairing,
    find_by_token,
    finish_pairing,
    page_context_for,
)
from bot.platform.services.pairing_steps import (
    StepResult,
    submit_chat_code,
    submit_credentials,
    submit_page_code,
)
from bot.platform.services.pairing_views import (
    LIVE_STATES,
    PairingView,
    current_pairing,
    effective_state,
    get_pairing,
    pairing_view,
)
from bot.platform.services.repair_accounts import (
    STORE_CONFIGURATION,
    disconnected_links,
    load_account,
    require_manager,
)

__all__ = [  # the pairing service, including what pairing_views and pairing_steps do
    "LIVE_STATES",
    "PageContext",
    "PairingView",
    "StartedPairing",
    "StepResult",
    "current_pairing",
    "effective_state",
    "get_pairing",
    "open_pairing",
    "page_context",
    "pairing_view",
    "start_pairing",
    "submit_chat_code",
    "submit_credentials",
    "submit_page_code",
    "token_language",
]


@dataclass(frozen=True)
class StartedPairing:
    """A new pairing and its one-time link (the only place the link's token exists)."""

    view: PairingView
    url: str


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

    return open_pairing(
        session, settings, user, identity, account, lang, now=now, action="repair.pairing_started"
    )


def open_pairing(
    session: Session,
    settings: Settings,
    user: User,
    identity: Identity | None,
    account: ProviderAccount,
    lang: str | None,
    *,
    now: datetime | None = None,
    action: str = "repair.pairing_started",
    **detail: Any,
) -> StartedPairing:
    """Create a one-time pairing link for ``account`` (checks done by the caller).

    Repair calls it through :func:`start_pairing`; onboarding calls it for the NEW
    account it created. Supersedes the account's live pairings, audit-logs ``action``
    (with ``detail``, never a secret) and commits.
    """
    now = now or utcnow()
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
    audit_pairing(session, pairing, account, action, superseded=superseded, **detail)
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
    pairing = find_by_token(session, token)
    if pairing is None or effective_state(pairing, now or utcnow())[0] != "open":
        return None
    account = session.get(ProviderAccount, pairing.account_id)
    return page_context_for(session, pairing, account) if account else None


def token_language(session: Session, token: str) -> str | None:
    """The language of the pairing a token names, whatever its state (for the gone page)."""
    pairing = find_by_token(session, token)
    return pairing.language if pairing else None


def _supersede(session: Session, account_id: str, now: datetime) -> list[str]:
    """Expire the account's live pairings (``superseded``); return their ids."""
    live = session.scalars(
        select(PairingSession)
        .where(PairingSession.account_id == account_id, PairingSession.state.in_(LIVE_STATES))
        .with_for_update()
    ).all()
    for pairing in live:
        outcome = "expired" if now >= pairing.expires_at else "superseded"
        finish_pairing(pairing, "expired", outcome, now)
    session.flush()
    return [pairing.id for pairing in live]
