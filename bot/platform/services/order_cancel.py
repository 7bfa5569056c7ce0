"""Cancelling a live order through its provider, and removing it from the active orders.

The checks of :mod:`order_cancel_views` come first (permission, organization, status,
provider support, then the reason is one of the provider's). The cancellation itself
runs once per order (``operations.run_once``, kind ``order.cancel``, key the order's id):
a second Confirm, a retried request or concurrent ones give one adapter call, one audit
entry and the same answer. A provider failure is audited (``order.cancel_failed``) and
leaves the order as it was; a new Confirm after it is a new attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import LiveOrder, User, utcnow
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.catalog import get_catalog
from bot.platform.providers.registry import adapter_for
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import ServiceError
from bot.platform.services.operations import OperationBusy, OperationFailed, run_once
from bot.platform.services.order_cancel_views import (
    OrderView,
    UnknownReason,
    describe,
    load_order,
    refusal,
    require_canceller,
)

CANCEL = "order.cancel"
CANCEL_FAILED = "order.cancel_failed"
REMOVE = "order.remove_from_active"


class NotCancellable(ServiceError):
    """The order is delivered or fulfilled, or its provider cancels only by phone."""

    code = "not_cancellable"

    def __init__(self, order: OrderView) -> None:
        super().__init__(order.refusal)
        self.order = order


class NotCancelled(ServiceError):
    """Only a cancelled order can be removed from the active orders list."""

    code = "not_cancelled"


@dataclass(frozen=True)
class CancelOutcome:
    """What a cancellation (or a removal) request did.

    ``outcome``: ``cancelled`` (now or by an earlier request: ``replayed``),
    ``already_cancelled``, ``failed`` (the provider refused: ``error``) or ``in_progress``
    (another request is still cancelling it); for a removal ``removed`` or
    ``already_removed``.
    """

    order: OrderView
    outcome: str
    error: str | None = None
    replayed: bool = False


def cancel_order(
    session: Session,
    settings: Settings,
    user: User,
    ref: str,
    reason: str,
    *,
    request_id: str | None = None,
    lang: str | None = None,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> CancelOutcome:
    """Cancel the caller's live order ``ref`` with ``reason``, once.

    Raises:
        NotAllowed: The caller may not cancel orders (``who_can``).
        Forbidden: The order is unknown or another organization's.
        NotCancellable: Delivered, fulfilled, or a provider that cancels only by phone.
        UnknownReason: ``reason`` is not one of the provider's reasons (``valid``).
    """
    catalog = get_catalog()
    lang = lang or user.language
    require_canceller(session, user)
    order = load_order(session, user, ref)
    why = refusal(catalog, order)
    if why not in (None, "cancelled"):
        raise NotCancellable(describe(catalog, order, lang))
    valid = [key for key, _ in catalog.cancel_reasons(order.provider_key)]
    if why is None and reason not in valid:
        raise UnknownReason(reason, valid)
    order_id = order.id
    detail = {
        "order": order.external_id,
        "provider": order.provider_key,
        "store": f"{order.store.location.name} / {order.store.brand.name}",
        "reason": reason,
        "request_id": request_id,
    }

    def effect(db: Session, idempotency_key: str) -> dict[str, Any]:
        row = db.get(LiveOrder, order_id, with_for_update=True)
        if row is None:  # pragma: no cover - orders are never deleted
            raise OperationFailed({"outcome": "failed", "error": "not_found"})
        if row.status == "cancelled":
            return {"outcome": "already_cancelled"}
        if row.status in ("delivered", "fulfilled"):
            raise OperationFailed({"outcome": "failed", "error": "order_not_cancellable"})
        chosen = adapter or adapter_for(db, settings, row.provider_key)
        answer = chosen.cancel_order(row.provider_key, row.external_id, reason, idempotency_key)
        if not answer.ok:
            raise OperationFailed({"outcome": "failed", "error": answer.error or "provider_error"})
        row.status = "cancelled"
        row.cancel_reason = reason
        row.cancelled_at = now or utcnow()
        record_audit(
            db, organization_id=user.organization_id, user_id=user.id, action=CANCEL, detail=detail
        )
        return {"outcome": "cancelled", "reason": reason}

    try:
        done = run_once(
            session,
            organization_id=user.organization_id,
            user_id=user.id,
            kind=CANCEL,
            key=str(order_id),
            effect=effect,
            failure_audit=CANCEL_FAILED,
            audit_detail=detail,
        )
    except OperationBusy:
        return CancelOutcome(_fresh(session, user, ref, lang), "in_progress")
    outcome = str(done.result.get("outcome") or ("cancelled" if done.succeeded else "failed"))
    error = None if done.succeeded else str(done.result.get("error") or "provider_error")
    return CancelOutcome(_fresh(session, user, ref, lang), outcome, error, done.replayed)


def remove_from_active(
    session: Session,
    user: User,
    ref: str,
    *,
    request_id: str | None = None,
    lang: str | None = None,
) -> CancelOutcome:
    """Remove the caller's cancelled order ``ref`` from the active orders list, once.

    Raises:
        NotAllowed: The caller may not cancel orders (``who_can``).
        Forbidden: The order is unknown or another organization's.
        NotCancelled: The order is not cancelled.
    """
    lang = lang or user.language
    require_canceller(session, user)
    order = load_order(session, user, ref)
    if order.status != "cancelled":
        raise NotCancelled(order.external_id)
    order_id = order.id
    detail = {"order": order.external_id, "provider": order.provider_key, "request_id": request_id}

    def effect(db: Session, idempotency_key: str) -> dict[str, Any]:
        del idempotency_key  # nothing leaves the platform
        row = db.get(LiveOrder, order_id, with_for_update=True)
        if row is None or row.removed_from_active:
            return {"outcome": "already_removed"}
        row.removed_from_active = True
        record_audit(
            db, organization_id=user.organization_id, user_id=user.id, action=REMOVE, detail=detail
        )
        return {"outcome": "removed"}

    try:
        done = run_once(
            session,
            organization_id=user.organization_id,
            user_id=user.id,
            kind=REMOVE,
            key=str(order_id),
            effect=effect,
        )
    except OperationBusy:
        return CancelOutcome(_fresh(session, user, ref, lang), "in_progress")
    outcome = str(done.result.get("outcome") or "removed")
    return CancelOutcome(_fresh(session, user, ref, lang), outcome, None, done.replayed)


def _fresh(session: Session, user: User, ref: str, lang: str | None) -> OrderView:
    """The order as it is now (after the operation's commit)."""
    session.expire_all()
    return describe(get_catalog(), load_order(session, user, ref), lang)
