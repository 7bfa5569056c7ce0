"""What the platform recorded, for the tests: audit entries and the sandbox provider's calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import AuditLog


def audit_entries(
    read_db: Callable[[Callable[[Session], Any]], Any], *actions: str
) -> list[tuple[str, dict]]:
    """``(action, detail)`` of the audit entries of ``actions``, oldest first."""

    def query(session: Session) -> list[tuple[str, dict]]:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action.in_(actions)).order_by(AuditLog.id)
        )
        return [(row.action, row.detail) for row in rows]

    return read_db(query)


async def sandbox_calls(
    client: httpx.AsyncClient, internal_headers: dict[str, str], method: str, target: str
) -> list[dict]:
    """The sandbox provider's calls of ``method`` (e.g. ``cancel``) on ``target``."""
    response = await client.get(
        "/internal/sandbox/calls",
        params={"method": method, "target": target},
        headers=internal_headers,
    )
    assert response.status_code == 200, response.text
    return response.json()
