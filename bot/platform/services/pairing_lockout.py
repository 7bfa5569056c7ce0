"""Wrong pairing codes and the lock they lead to.

Each rejected code counts against the account for ``pairing_code_window_seconds``;
after ``pairing_max_code_failures`` of them, pairing the account is locked for
``pairing_lock_seconds``. The lock replaces the count: after it, and after a
successful pairing, the account starts with a full allowance.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import PairingCodeFailure, ProviderAccount


def locked_until(account: ProviderAccount, now: datetime) -> datetime | None:
    """When the account's pairing lock ends, if it is locked at ``now``."""
    until = account.pairing_locked_until
    return until if until is not None and until > now else None


def attempts_left(session: Session, settings: Settings, account_id: str, now: datetime) -> int:
    """Wrong codes left before the account's pairing is locked."""
    since = now - timedelta(seconds=settings.pairing_code_window_seconds)
    failures = session.scalar(
        select(func.count())
        .select_from(PairingCodeFailure)
        .where(PairingCodeFailure.account_id == account_id, PairingCodeFailure.created_at > since)
    )
    return max(0, settings.pairing_max_code_failures - (failures or 0))


def count_wrong_code(
    session: Session, settings: Settings, account: ProviderAccount, now: datetime
) -> int:
    """Count a rejected code against the account; return the attempts left."""
    session.add(PairingCodeFailure(account_id=account.id, created_at=now))
    session.flush()
    return attempts_left(session, settings, account.id, now)


def lock_out(
    session: Session, settings: Settings, account: ProviderAccount, now: datetime
) -> datetime:
    """Lock pairing the account from ``now``; return when the lock ends."""
    account.pairing_locked_until = now + timedelta(seconds=settings.pairing_lock_seconds)
    # The lock replaces the count: after it, the account starts with a full allowance.
    clear_wrong_codes(session, account.id)
    return account.pairing_locked_until


def clear_wrong_codes(session: Session, account_id: str) -> None:
    """Forget the account's wrong codes."""
    session.execute(delete(PairingCodeFailure).where(PairingCodeFailure.account_id == account_id))
