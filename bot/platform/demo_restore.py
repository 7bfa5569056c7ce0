"""Putting the demo's changeable state back (store links, orders, OTO settings, alerts,
handoffs and support agents).

Demos and the end-to-end tests use it, through the sandbox controls
(``POST /internal/sandbox/reset``), to start again from DEMO.md without reloading.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.platform.demo_agents import put_agents
from bot.platform.demo_data import (
    DISCONNECTED_FOR,
    DISPATCH_ORDERS,
    LINKS,
    ORDERS,
    OTO_BRANCHES,
    OTO_DEMO_CURRENCY,
    USERS,
    minutes_before,
)
from bot.platform.models import (
    AlertItem,
    AlertOutbox,
    Base,
    DispatchBranch,
    DispatchIntegration,
    DispatchOrder,
    Incident,
    LiveOrder,
    PosTicket,
    ProviderAccount,
    User,
)
from bot.platform.services.onboarding_cleanup import forget_onboardings

# Tables that hold what repairing changed (pairings, code failures, stored credentials,
# sandbox settings, repair requests): emptied when the demo's repair state is restored.
# So is every table marked ``info={"demo_reset": True}`` (operations, sandbox calls and
# faults, and each feature's own records).
_REPAIR_TABLES = (
    "pairing_code_failures",
    "pairing_sessions",
    "provider_credentials",
    "sandbox_accounts",
    "repair_requests",
)
# Live alerts: emptied first (children before parents), before any store link goes, so
# no alert queued before the restore is sent after it.
_ALERT_MODELS = (AlertItem, PosTicket, AlertOutbox, Incident)


def restore_demo_state(session: Session, *, now: datetime | None = None) -> int:
    """Put the demo's links, orders and OTO settings back as DEMO.md describes them.

    Users, ids and the audit log are kept; pairings, code failures, locks, stored
    credentials, sandbox settings and repair requests are removed. So are live alerts
    (incidents, the outbox, POS tickets: nothing queued before is sent after), and each
    user's alert choices (SMS, e-mail, no quiet hours) are put back. Live orders get their
    status back (not cancelled, not removed from the active list), the OTO integrations
    lose their saved credentials and get their currency and branch activation back, and
    the dispatch orders their fields. Handoffs and their messages are removed (they are
    runtime records) and the support agents get their demo names and passwords back,
    offline. Demos and the end-to-end tests use it (through the sandbox controls) to start
    again from the demo.

    Returns:
        How many store links were restored.
    """
    now = now or datetime.now(timezone.utc)
    _restore_orders(session, now)
    _restore_oto(session, now)
    since = now.replace(microsecond=0) - DISCONNECTED_FOR
    for model in _ALERT_MODELS:
        session.execute(delete(model))
    _restore_alert_choices(session)
    tables = Base.metadata.tables
    for name in _REPAIR_TABLES:
        if name in tables:
            session.execute(tables[name].delete())
    forget_onboardings(session)  # and the accounts, links, brands and stores they created
    for table in reversed(Base.metadata.sorted_tables):
        if table.info.get("demo_reset"):
            session.execute(table.delete())
    put_agents(session)
    accounts = {account.id: account for account in session.scalars(select(ProviderAccount))}
    restored = 0
    for account_id, places, state, passed_qa, activated, error_type, error_case in LINKS:
        account = accounts.get(account_id)
        if account is None:
            continue
        if hasattr(account, "pairing_locked_until"):
            account.pairing_locked_until = None
        wanted = set(places)
        for link in account.links:
            if (link.store.location.name, link.store.brand.name) not in wanted:
                continue
            link.state, link.passed_qa, link.activated = state, passed_qa, activated
            link.error_type, link.error_case = error_type, error_case
            link.since = since if state == "disconnected" else since - timedelta(days=30)
            restored += 1
    session.commit()
    return restored


def _restore_alert_choices(session: Session) -> None:
    """Give each demo user the alert choices DEMO.md lists, and no quiet hours."""
    choices = {row[1]: (row[6], row[7]) for users in USERS.values() for row in users}
    for user in session.scalars(select(User).where(User.email.in_(choices))):
        user.alert_sms, user.alert_email = choices[user.email]
        user.quiet_start = user.quiet_end = None


def _restore_orders(session: Session, now: datetime) -> None:
    """Put the demo's live and dispatch orders back as DEMO.md describes them."""
    live = {
        (order.organization.name, order.external_id): order
        for order in session.scalars(select(LiveOrder))
    }
    for org_name, external_id, _provider, _location, _brand, status, ago in ORDERS:
        order = live.get((org_name, external_id))
        if order is None:
            continue
        order.status, order.cancel_reason, order.cancelled_at = status, None, None
        order.removed_from_active = False
        order.placed_at = minutes_before(now, ago)
    dispatch = {
        (order.organization.name, order.external_id): order
        for order in session.scalars(select(DispatchOrder))
    }
    for row in DISPATCH_ORDERS:
        found = dispatch.get((row[0], row[1]))
        if found is None:
            continue
        _org, _id, _branch, found.order_type, found.has_customer = row[:5]
        found.has_delivery_address, found.kitchen_status, found.cashier_open = row[5:8]
        found.sent_to_oto, found.placed_at = row[8], minutes_before(now, row[9])


def _restore_oto(session: Session, now: datetime) -> None:
    """Forget saved OTO credentials; put the currency and branch activation back."""
    integrations = session.scalars(
        select(DispatchIntegration).where(DispatchIntegration.provider == "oto")
    )
    for integration in integrations:
        actives = OTO_BRANCHES.get(integration.organization.name)
        if actives is None:
            continue
        integration.retailer_id = integration.token_secret = None
        integration.currency, integration.updated_by = OTO_DEMO_CURRENCY, None
        integration.updated_at = now
        present = {branch.location.name: branch for branch in integration.branches}
        for location in integration.organization.locations:
            if location.name not in actives:
                continue
            branch = present.get(location.name)
            if branch is None:
                branch = DispatchBranch(location=location)
                integration.branches.append(branch)
            branch.active, branch.updated_at = actives[location.name], now
