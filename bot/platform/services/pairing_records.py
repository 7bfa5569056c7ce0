"""The pairing session record, as the pairing's steps share it.

Finding a pairing by its link token (kept only as a SHA-256 digest), ending it,
audit-logging a step (never a secret) and what the pairing page shows about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import PairingSession, ProviderAccount, ProviderCredential
from bot.platform.secrets_box import sha256_hex
from bot.platform.services.repair_accounts import account_stores, audit_account, provider_name
from bot.platform.services.status import StoreRef


@dataclass(frozen=True)
class PageContext:
    """What the pairing page shows about the pairing (no secrets)."""

    language: str
    provider: str
    account: str
    login: str
    stores: list[StoreRef]


def finish_pairing(pairing: PairingSession, state: str, outcome: str, now: datetime) -> None:
    """End the pairing in ``state`` with ``outcome``; its code-form nonce is gone."""
    pairing.state, pairing.outcome = state, outcome
    pairing.step_hash = None
    pairing.finished_at = now


def find_by_token(session: Session, token: str) -> PairingSession | None:
    """The pairing a link token names, whatever its state; ``None`` when unknown."""
    if not token or len(token) > 200:
        return None
    statement = select(PairingSession).where(PairingSession.token_hash == sha256_hex(token))
    return session.scalars(statement).first()


def page_context_for(
    session: Session, pairing: PairingSession, account: ProviderAccount
) -> PageContext:
    """What the pairing page shows about ``pairing`` of ``account``."""
    credential = session.get(ProviderCredential, account.id)
    return PageContext(
        language=pairing.language,
        provider=provider_name(account),
        account=account.label,
        login=credential.login if credential else account.login,
        stores=account_stores(account),
    )


def audit_pairing(
    session: Session,
    pairing: PairingSession,
    account: ProviderAccount,
    action: str,
    **detail: Any,
) -> None:
    """Audit-log a step of ``pairing`` against its account (never a secret)."""
    audit_account(session, account, pairing.user_id, action, pairing_id=pairing.id, **detail)
