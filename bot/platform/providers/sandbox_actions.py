"""The sandbox provider's side effects: activate a store, cancel an order, export a menu.

The sandbox stands for a provider outside our database transaction, so it records what
it received in its own short transaction (table ``sandbox_calls``): a call is kept even
when the caller's transaction is rolled back, exactly as a real provider would have
seen it. A repeated idempotency key is one call and gets the first answer. A fault queued
in ``sandbox_faults`` (``POST /internal/sandbox/faults``) makes the next matching call
fail with its error code; the fault ``hang`` makes it wait ``hang_seconds`` first (a
provider that stopped answering), then fail with ``provider_not_responding`` having done
nothing.

Without a fault: activation and cancellation succeed; a menu export checks the store's
menu the way DoorDash does (no menu or no items, or an item without a name or a price →
``empty_menu``; open less than 30 minutes a week → ``missing_menu_hours``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.platform.models import Menu, SandboxCall, SandboxFault
from bot.platform.providers.adapter import AccountRef, ActionOutcome
from bot.platform.providers.deadline import NOT_RESPONDING

MIN_WEEKLY_MENU_MINUTES = 30
HANG = "hang"


class SandboxActions:
    """Side-effect methods of the sandbox adapter (mixed into ``SandboxAdapter``)."""

    _session: Session
    _hang_seconds: float

    def activate_store(
        self, account: AccountRef, store_link_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """Activation succeeds unless a fault is queued for the link."""
        return self._call(account.provider_key, "activate", str(store_link_id), idempotency_key)

    def cancel_order(
        self, provider_key: str, order_ref: str, reason: str, idempotency_key: str
    ) -> ActionOutcome:
        """Cancellation succeeds unless a fault is queued for the order (any reason)."""
        del reason
        return self._call(provider_key, "cancel", order_ref.upper(), idempotency_key)

    def export_menu(
        self, account: AccountRef, store_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """The menu export: a queued fault, else the menu check."""
        return self._call(
            account.provider_key,
            "menu_export",
            str(store_id),
            idempotency_key,
            default=lambda: _menu_problem(self._session, store_id),
        )

    def _hang_if_queued(self, method: str, target: str) -> bool:
        """Use up a queued ``hang`` fault for ``method`` on ``target`` and wait; whether
        there was one (the caller then answers nothing it read from the caller's session,
        which has moved on)."""
        with Session(bind=self._session.get_bind()) as own:
            if _take_fault(own, method, target, only=HANG) is None:
                return False
            own.commit()
        time.sleep(self._hang_seconds)
        return True

    def _call(
        self,
        provider_key: str,
        method: str,
        target: str,
        idempotency_key: str,
        default: Callable[[], str | None] | None = None,
    ) -> ActionOutcome:
        with Session(bind=self._session.get_bind()) as own:
            earlier = own.scalars(
                select(SandboxCall).where(SandboxCall.idempotency_key == idempotency_key)
            ).first()
            if earlier is not None:
                return ActionOutcome(earlier.ok, earlier.error)
            error = _take_fault(own, method, target)
            if error is None and default is not None:
                error = default()
            if error == HANG:
                own.commit()  # the fault is used up, whatever the caller does meanwhile
                time.sleep(self._hang_seconds)
                error = NOT_RESPONDING
            own.add(
                SandboxCall(
                    provider_key=provider_key,
                    method=method,
                    target=target,
                    idempotency_key=idempotency_key,
                    ok=error is None,
                    error=error,
                )
            )
            try:
                own.commit()
            except IntegrityError:  # the same key at the same moment: one call
                own.rollback()
                again = own.scalars(
                    select(SandboxCall).where(SandboxCall.idempotency_key == idempotency_key)
                ).one()
                return ActionOutcome(again.ok, again.error)
        return ActionOutcome(error is None, error)


def _take_fault(own: Session, method: str, target: str, *, only: str | None = None) -> str | None:
    """Use up the oldest fault queued for ``method`` on ``target`` (of error ``only``, when
    given), in ``own``'s transaction; its error, or None when none is queued."""
    query = select(SandboxFault).where(SandboxFault.method == method, SandboxFault.target == target)
    if only is not None:
        query = query.where(SandboxFault.error == only)
    fault = own.scalars(query.order_by(SandboxFault.id)).first()
    if fault is None:
        return None
    own.delete(fault)
    return fault.error


def _menu_problem(session: Session, store_id: int) -> str | None:
    menu = session.scalars(select(Menu).where(Menu.store_id == store_id)).first()
    if menu is None or not menu.items or menu.empty_items:
        return "empty_menu"
    if menu.weekly_open_minutes < MIN_WEEKLY_MENU_MINUTES:
        return "missing_menu_hours"
    return None
