"""Claiming and recording outbox rows, on PostgreSQL and SQLite.

A row is due when ``state='pending' AND due_at <= now AND (next_attempt_at IS NULL OR
next_attempt_at <= now)``, or when it has been ``sending`` for longer than
:data:`STALE_AFTER` (its dispatcher died: the one message may go out again, with the
same key). PostgreSQL claims with ``SELECT … FOR UPDATE SKIP LOCKED`` so several
dispatchers share the work; SQLite with a conditional ``UPDATE … WHERE state=…`` per row.
Every write is conditional on the claim (``claimed_by``), so a dispatcher that lost its
row never records over another's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.platform.models import AlertOutbox

STALE_AFTER = timedelta(minutes=5)


def _claimable(now: datetime, stale_after: timedelta):  # noqa: ANN202 - SQL expression
    due = and_(
        AlertOutbox.state == "pending",
        AlertOutbox.due_at <= now,
        or_(AlertOutbox.next_attempt_at.is_(None), AlertOutbox.next_attempt_at <= now),
    )
    stale = and_(AlertOutbox.state == "sending", AlertOutbox.claimed_at < now - stale_after)
    return or_(due, stale)


def claim(
    session: Session, worker: str, now: datetime, limit: int, stale_after: timedelta = STALE_AFTER
) -> list[int]:
    """Mark up to ``limit`` due rows ``sending`` for ``worker`` and commit.

    Returns:
        The ids claimed (oldest due first).
    """
    query = (
        select(AlertOutbox.id)
        .where(_claimable(now, stale_after))
        .order_by(AlertOutbox.due_at, AlertOutbox.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(query.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(AlertOutbox)
                .where(AlertOutbox.id.in_(ids))
                .values(state="sending", claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
        session.commit()
        return ids
    claimed: list[int] = []
    for row_id in list(session.scalars(query)):
        result = session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == row_id, _claimable(now, stale_after))
            .values(state="sending", claimed_by=worker, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    session.commit()
    return claimed


def finish(session: Session, row_id: int, worker: str, **values: object) -> bool:
    """Write ``values`` on a row ``worker`` still holds (``sending``); not committed.

    Returns:
        Whether the row was still ours.
    """
    result = session.execute(
        update(AlertOutbox)
        .where(
            AlertOutbox.id == row_id,
            AlertOutbox.state == "sending",
            AlertOutbox.claimed_by == worker,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
