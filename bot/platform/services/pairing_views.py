"""What a pairing reads as: its API view, and the user's current or named pairing.

A live pairing past its expiry reads as ``expired`` (nothing is written on reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.languages import normalize_language
from bot.platform.models import PairingSession, ProviderAccount, User, utcnow
from bot.platform.services.errors import Forbidden, NoPairing
from bot.platform.services.pairing_lockout import attempts_left, locked_until
from bot.platform.services.repair_accounts import account_stores, broken_entries, provider_name
from bot.platform.services.status import BrokenAccount, StoreRef

LIVE_STATES = ("open", "awaiting_code")
"""States in which a pairing can still go on (until it expires)."""


@dataclass(frozen=True)
class PairingView:
    """A pairing as the API shows it to its creator."""

    pairing_id: str
    account_id: str
    account: str
    provider: str
    state: str
    outcome: str
    asks_code: bool
    attempts_left: int
    locked_until: datetime | None
    expires_at: datetime
    stores: list[StoreRef]
    broken: list[BrokenAccount]


def current_pairing(
    session: Session,
    settings: Settings,
    user: User,
    conversation_id: str,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> PairingView:
    """The newest pairing the user started from this conversation.

    Raises:
        NoPairing: There is none.
    """
    pairing = latest_pairing(session, user.id, conversation_id)
    if pairing is None:
        raise NoPairing()
    return pairing_view(session, settings, user, pairing, lang or pairing.language, now)


def get_pairing(
    session: Session,
    settings: Settings,
    user: User,
    pairing_id: str,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> PairingView:
    """One pairing, for the user who started it.

    Raises:
        Forbidden: Unknown, or started by someone else.
    """
    pairing = session.get(PairingSession, pairing_id)
    if pairing is None or pairing.user_id != user.id:
        raise Forbidden()
    return pairing_view(session, settings, user, pairing, lang or pairing.language, now)


def pairing_view(
    session: Session,
    settings: Settings,
    user: User,
    pairing: PairingSession,
    lang: str,
    now: datetime | None = None,
) -> PairingView:
    """The API view of ``pairing`` (an open one past its expiry reads as ``expired``)."""
    now = now or utcnow()
    account = session.get(ProviderAccount, pairing.account_id)
    assert account is not None  # a foreign key
    lang = normalize_language(lang)
    state, outcome = effective_state(pairing, now)
    until = locked_until(account, now)
    return PairingView(
        pairing_id=pairing.id,
        account_id=account.id,
        account=account.label,
        provider=provider_name(account),
        state=state,
        outcome=outcome,
        asks_code=account.asks_2fa or state == "awaiting_code",
        attempts_left=0 if until else attempts_left(session, settings, account.id, now),
        locked_until=until,
        expires_at=pairing.expires_at,
        stores=account_stores(account),
        broken=broken_entries(session, user, account.id, lang, now),
    )


def effective_state(pairing: PairingSession, now: datetime) -> tuple[str, str]:
    """The pairing's ``(state, outcome)``; a live pairing past its expiry is expired."""
    if pairing.state in LIVE_STATES and now >= pairing.expires_at:
        return "expired", "expired"
    return pairing.state, pairing.outcome


def latest_pairing(
    session: Session, user_id: int, conversation_id: str, *where: Any
) -> PairingSession | None:
    """The newest pairing the user started from the conversation (matching ``where``)."""
    if not conversation_id:
        return None
    return session.scalars(
        select(PairingSession)
        .where(
            PairingSession.user_id == user_id,
            PairingSession.conversation_id == conversation_id,
            *where,
        )
        .order_by(PairingSession.created_at.desc(), PairingSession.id)
        .limit(1)
    ).first()
