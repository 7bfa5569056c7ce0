"""Exporting store menus to a provider during an onboarding, and "Retry menu export".

The provider (its adapter's ``export_menu``) answers each export with ``ok`` or an
error code; an error becomes the onboarding's alert (missing menu hours, empty menu,
menu import failed, error during onboarding — ``providers/eligibility.yml`` has each
one's fix). "Retry menu export" runs once per Confirm button
(``run_once`` key ``f"{onboarding_id}:{request_id}"``), exports the alerted stores'
menus again, and either clears the alert (back to waiting for the provider's QA) or
keeps it with the provider's new answer. Audit-logged as ``menu.retry_export``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import ProviderAccount, User, utcnow
from bot.platform.models.onboarding import Onboarding
from bot.platform.providers.registry import adapter_for
from bot.platform.providers.sandbox_onboarding import qa_seconds
from bot.platform.services.audit import record_audit
from bot.platform.services.onboarding_views import load_onboarding
from bot.platform.services.operations import OperationFailed, OperationResult, run_once
from bot.platform.services.repair_accounts import account_ref, require_manager

RETRY_KIND = "menu.retry_export"


def export_menus(
    session: Session,
    settings: Settings,
    account: ProviderAccount,
    store_ids: Iterable[int],
    idempotency_key: str,
) -> dict[int, str | None]:
    """Export each store's menu to the account's provider; ``{store id: error or None}``.

    Call it before changing any row of the transaction (the provider is outside it).
    """
    adapter = adapter_for(session, settings, account.provider_key)
    ref = account_ref(account, [])
    return {
        store_id: adapter.export_menu(ref, store_id, f"{idempotency_key}:{store_id}").error
        for store_id in store_ids
    }


def apply_exports(
    onboarding: Onboarding, settings: Settings, outcomes: dict[int, str | None], now: datetime
) -> None:
    """Record the exports' answers: an alert for the failed stores, else wait for QA."""
    failed = [store_id for store_id, error in outcomes.items() if error]
    onboarding.updated_at = now
    if failed:
        onboarding.state = "alert"
        onboarding.alert = outcomes[failed[0]]
        onboarding.alert_store_ids = failed
        onboarding.qa_due_at = None
        return
    delay = qa_seconds(settings)
    onboarding.state = "waiting_qa"
    onboarding.alert = None
    onboarding.alert_store_ids = []
    onboarding.qa_due_at = now + timedelta(seconds=delay) if delay > 0 else None


def lock_at_step(
    session: Session, onboarding_id: str, state: str
) -> tuple[Onboarding, ProviderAccount]:
    """The onboarding (locked, fresh) and its new account, when it is at step ``state``.

    Raises:
        OperationFailed: ``wrong_step`` (with the onboarding's state) otherwise.
    """
    found = session.get(Onboarding, onboarding_id, with_for_update=True)
    assert found is not None
    session.refresh(found)
    account = session.get(ProviderAccount, found.account_id or "")
    if found.state != state or account is None:
        raise OperationFailed({"error": "wrong_step", "state": found.state})
    return found, account


def retry_export(
    session: Session,
    settings: Settings,
    user: User,
    onboarding_id: str,
    request_id: str,
    *,
    now: datetime | None = None,
) -> OperationResult:
    """Export the alerted stores' menus again, once per ``request_id``.

    Raises:
        Forbidden: Unknown onboarding, or another organization's.
        NotAllowed: The caller may not manage integrations.

    Returns:
        The operation's result: ``{"ok": bool, "alert": code | None, "state": ...}``;
        failed with ``{"error": "wrong_step", "state": ...}`` when nothing is alerted.
    """
    onboarding = load_onboarding(session, user, onboarding_id)
    require_manager(session, user)
    organization_id = onboarding.organization_id

    def effect(session: Session, idempotency_key: str) -> dict[str, Any]:
        found, account = lock_at_step(session, onboarding_id, "alert")
        stores = list(found.alert_store_ids or [])
        outcomes = export_menus(session, settings, account, stores, idempotency_key)
        apply_exports(found, settings, outcomes, now or utcnow())
        record_audit(
            session,
            organization_id=organization_id,
            user_id=user.id,
            action="menu.retry_export",
            detail={
                "onboarding_id": found.id,
                "account_id": account.id,
                "store_ids": stores,
                "errors": {str(key): value for key, value in outcomes.items() if value},
            },
        )
        return {"ok": found.alert is None, "alert": found.alert, "state": found.state}

    return run_once(
        session,
        organization_id=organization_id,
        user_id=user.id,
        kind=RETRY_KIND,
        key=f"{onboarding_id}:{request_id}",
        effect=effect,
    )
