"""Recording side effects in the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.platform.models import AuditLog, utcnow


def record_audit(
    session: Session,
    *,
    organization_id: int,
    action: str,
    user_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit-log row for a side effect, in the caller's transaction.

    The row is flushed, not committed: commit it together with the side effect it
    records, so that neither is kept without the other.

    Args:
        session: The session the side effect is made in.
        organization_id: The organization the side effect belongs to.
        action: What happened, e.g. ``"integration.reconnect"``.
        user_id: Who did it; ``None`` for the platform itself.
        detail: JSON-serialisable facts (ids, reasons) — never secrets or codes.

    Returns:
        The new row.
    """
    entry = AuditLog(
        organization_id=organization_id,
        user_id=user_id,
        action=action,
        detail=dict(detail or {}),
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry
