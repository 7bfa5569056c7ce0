"""Running a side effect once: a second confirm, a retry or a race gets the same answer.

Every side effect of the platform (cancel an order, activate a store, retry a menu
export, …) is named by ``(kind, key)`` — ``("order.cancel", "<order id>")`` — and goes
through :func:`run_once`:

* the caller that INSERTs the ``operations`` row (committed before anything else) runs
  the effect; a concurrent caller finds the row, waits for its outcome and returns it;
* a ``succeeded`` row is the answer to every later call (nothing runs again);
* a ``failed`` row found by a *new* call is claimed again (a retry is a new attempt with
  a new idempotency key); callers that were waiting for that attempt get its failure;
* a ``running`` row older than ``stale_seconds`` (its process died) is taken over; the
  provider gets the next attempt's idempotency key, so a provider that deduplicates sees
  the effect at most once per attempt.

The effect runs in the caller's session and returns a JSON-able result; it changes its
rows and writes its audit entry, and :func:`run_once` commits them together with the
``succeeded`` row. It raises :class:`OperationFailed` when the provider refused: its
changes are rolled back and the row is marked ``failed`` (with a ``failure_audit``
entry when one is named).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.platform.models import Operation
from bot.platform.services.audit import record_audit

POLL_SECONDS = 0.05
Effect = Callable[[Session, str], dict[str, Any]]


@dataclass(frozen=True)
class OperationResult:
    """The outcome of a side effect, the same for every caller.

    Attributes:
        state: ``succeeded`` or ``failed``.
        result: What the effect returned (or the failure's result).
        replayed: True when this caller did not run the effect itself.
    """

    state: str
    result: dict[str, Any]
    replayed: bool

    @property
    def succeeded(self) -> bool:
        """Whether the effect happened."""
        return self.state == "succeeded"


class OperationFailed(Exception):
    """Raised by an effect when the provider refused; ``result`` says how."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result.get("error", "failed"))
        self.result = result


class OperationBusy(Exception):
    """Another caller is still running the effect after ``wait_seconds``."""


@dataclass(frozen=True)
class _Claim:
    operation_id: int
    attempt: int


def run_once(
    session: Session,
    *,
    organization_id: int,
    user_id: int | None,
    kind: str,
    key: str,
    effect: Effect,
    retry_failed: bool = True,
    wait_seconds: float = 15.0,
    stale_seconds: float = 120.0,
    failure_audit: str | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> OperationResult:
    """Run ``effect`` once for ``(kind, key)``, or return the outcome of the run that did.

    Args:
        session: The request's session; anything pending in it is committed first.
        organization_id: The organization the effect belongs to.
        user_id: Who asked for it.
        kind: What the effect is, e.g. ``"order.cancel"``.
        key: Which object it is for, e.g. the order's id.
        effect: ``effect(session, idempotency_key) -> result``; raises
            :class:`OperationFailed` when the provider refused.
        retry_failed: Whether a new call runs a failed effect again.
        wait_seconds: How long to wait for a concurrent run before :class:`OperationBusy`.
        stale_seconds: After how long a ``running`` row is considered abandoned.
        failure_audit: The audit action written when the effect fails.
        audit_detail: Facts added to that audit entry (ids; never secrets).

    Raises:
        OperationBusy: A concurrent run did not finish within ``wait_seconds``.
    """
    session.commit()
    deadline = time.monotonic() + wait_seconds
    waited = False
    while True:
        claim = _claim(
            session, organization_id, user_id, kind, key, retry_failed and not waited, stale_seconds
        )
        if claim is not None:
            break
        row = _read(session, kind, key)
        if row is not None and row.state == "succeeded":
            return OperationResult("succeeded", dict(row.result or {}), True)
        if row is not None and row.state == "failed" and (waited or not retry_failed):
            return OperationResult("failed", dict(row.result or {}), True)
        if time.monotonic() > deadline:
            raise OperationBusy(f"{kind} {key}")
        waited = waited or (row is not None and row.state == "running")
        session.rollback()
        time.sleep(POLL_SECONDS)
    return _run(
        session, claim, kind, key, effect, organization_id, user_id, failure_audit, audit_detail
    )


def _run(
    session: Session,
    claim: _Claim,
    kind: str,
    key: str,
    effect: Effect,
    organization_id: int,
    user_id: int | None,
    failure_audit: str | None,
    audit_detail: dict[str, Any] | None,
) -> OperationResult:
    idempotency_key = f"{kind}:{key}:{claim.attempt}"
    try:
        result = effect(session, idempotency_key)
    except OperationFailed as failure:
        session.rollback()
        _finish(session, claim, "failed", failure.result)
        if failure_audit:
            detail = {**(audit_detail or {}), **failure.result}
            record_audit(
                session,
                organization_id=organization_id,
                action=failure_audit,
                user_id=user_id,
                detail=detail,
            )
        session.commit()
        return OperationResult("failed", failure.result, False)
    except Exception:
        session.rollback()
        _finish(session, claim, "failed", {"error": "internal_error"})
        session.commit()
        raise
    _finish(session, claim, "succeeded", result)
    session.commit()
    return OperationResult("succeeded", result, False)


def _claim(
    session: Session,
    organization_id: int,
    user_id: int | None,
    kind: str,
    key: str,
    retry_failed: bool,
    stale_seconds: float,
) -> _Claim | None:
    row = Operation(
        organization_id=organization_id,
        user_id=user_id,
        kind=kind,
        key=key,
        state="running",
        attempt=1,
        result={},
        started_at=_now(),
    )
    session.add(row)
    try:
        session.commit()
        return _Claim(row.id, 1)
    except IntegrityError:
        session.rollback()
    existing = _read(session, kind, key)
    if existing is None:
        return None
    stale = existing.state == "running" and _aware(existing.started_at) < _now() - timedelta(
        seconds=stale_seconds
    )
    if not (stale or (retry_failed and existing.state == "failed")):
        return None
    operation_id, attempt = existing.id, existing.attempt
    taken = session.execute(
        update(Operation)
        .where(
            Operation.id == operation_id,
            Operation.state == existing.state,
            Operation.attempt == attempt,
        )
        .values(
            state="running",
            attempt=attempt + 1,
            result={},
            started_at=_now(),
            finished_at=None,
            user_id=user_id,
        )
    )
    if taken.rowcount != 1:
        session.rollback()
        return None
    session.commit()
    return _Claim(operation_id, attempt + 1)


def _read(session: Session, kind: str, key: str) -> Operation | None:
    session.expire_all()
    return session.scalars(
        select(Operation).where(Operation.kind == kind, Operation.key == key)
    ).first()


def _finish(session: Session, claim: _Claim, state: str, result: dict[str, Any]) -> None:
    session.execute(
        update(Operation)
        .where(Operation.id == claim.operation_id, Operation.attempt == claim.attempt)
        .values(state=state, result=result, finished_at=_now())
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
