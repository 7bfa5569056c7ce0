"""The demo data of ``/work/shared/DEMO.md`` (organizations, users, stores, provider accounts).

``python -m bot.platform.demo --if-empty`` migrates the configured database and loads the
demo when it has no organization yet (``make db``); ``--reset`` drops every table,
migrates and loads it again (``make reset-demo``). Tests load it into their own database
with :func:`load_demo`.

It also loads the store menus, the live orders, and the OTO dispatch integration with its
branches and orders. The OTO retailer id and token are left unset (the setup by chat saves
them after the sandbox OTO adapter accepted them): the pair the sandbox accepts is
:data:`OTO_DEMO_RETAILER_ID` / :data:`OTO_DEMO_TOKEN`. Support agents belong to a later issue.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from bot.platform.db import make_engine, safe_url, session_factory, upgrade
from bot.platform.models import (
    Base,
    Brand,
    DispatchBranch,
    DispatchIntegration,
    DispatchOrder,
    LiveOrder,
    Location,
    Menu,
    MenuHours,
    MenuItem,
    Organization,
    ProviderAccount,
    Store,
    StoreLink,
    User,
)
from bot.platform.services.catalog_sync import sync_providers

TIMEZONE = "America/New_York"
DISCONNECTED_FOR = timedelta(hours=2)
"""Disconnected demo links are dated this long before the load."""

# (name, email, phone, language, manage integrations, cancel orders, SMS alerts, e-mail alerts)
_USERS = {
    "Demo Kitchen Group": [
        ("Olivia Owner", "olivia@demo-kitchen.test", "+15550000001", "en",
         True, True, True, True),
        ("Marc Manager", "marc@demo-kitchen.test", "+15550000002", "fr",
         False, True, False, True),
        ("Sofia Staff", "sofia@demo-kitchen.test", "+15550000003", "es",
         False, False, False, False),
    ],
    "Harbor Pizza": [
        ("Hank Harbor", "hank@harbor-pizza.test", "+15550000009", "en",
         True, True, True, False),
    ],
}  # fmt: skip
# organization -> location -> (has a POS device, brands sold there)
_LOCATIONS = {
    "Demo Kitchen Group": {
        "Downtown": (True, ["Burger Barn", "Taco Town"]),
        "Airport": (False, ["Burger Barn"]),
        "Riverside": (False, ["Taco Town"]),
    },
    "Harbor Pizza": {"Harbor": (False, ["Harbor Pizza"])},
}
# (organization, id, provider key, label, login, asks 2FA)
_ACCOUNTS = [
    ("Demo Kitchen Group", "ue-main", "uber_eats", "Uber Eats — main",
     "ubereats@demo-kitchen.test", False),
    ("Demo Kitchen Group", "dd-main", "doordash", "DoorDash — main",
     "doordash@demo-kitchen.test", True),
    ("Demo Kitchen Group", "dd-river", "doordash", "DoorDash — Riverside",
     "doordash-riverside@demo-kitchen.test", True),
    ("Demo Kitchen Group", "gh-main", "grubhub", "Grubhub — main",
     "grubhub@demo-kitchen.test", False),
    ("Demo Kitchen Group", "dr-river", "deliveroo", "Deliveroo — Riverside",
     "deliveroo@demo-kitchen.test", False),
    ("Demo Kitchen Group", "ue-river", "uber_eats", "Uber Eats — Riverside",
     "ubereats-riverside@demo-kitchen.test", False),
    ("Demo Kitchen Group", "gl-main", "glovo", "Glovo — main",
     "glovo@demo-kitchen.test", True),
    ("Demo Kitchen Group", "je-main", "just_eat", "Just Eat — main",
     "justeat@demo-kitchen.test", False),
    ("Harbor Pizza", "hp-ue", "uber_eats", "Uber Eats — Harbor",
     "ubereats@harbor-pizza.test", False),
]  # fmt: skip
_ISC = "invalid_store_configuration"
# (account id, [(location, brand)], state, passed QA, activated, error type, error case)
_LINKS = [
    ("ue-main", [("Downtown", "Burger Barn"), ("Airport", "Burger Barn")],
     "disconnected", True, True, "invalid_credentials", None),
    ("dd-main", [("Downtown", "Burger Barn"), ("Downtown", "Taco Town")],
     "disconnected", True, True, "two_factor_required", None),
    ("dd-river", [("Riverside", "Taco Town")], "connected", True, False, None, None),
    ("gh-main", [("Airport", "Burger Barn")], "active", True, True, None, None),
    ("dr-river", [("Riverside", "Taco Town")],
     "disconnected", True, True, _ISC, "inactive_restaurant"),
    ("ue-river", [("Riverside", "Taco Town")],
     "disconnected", True, True, _ISC, "non_traditional_login"),
    ("gl-main", [("Downtown", "Taco Town")],
     "disconnected", True, True, "third_party_blocked", None),
    ("je-main", [("Downtown", "Burger Barn")], "active", True, True, None, None),
    ("hp-ue", [("Harbor", "Harbor Pizza")],
     "disconnected", True, True, "invalid_credentials", None),
]  # fmt: skip

# (organization, location, brand) -> ([(item name, price in cents)], [(day, opens, closes)])
# Days 0 (Monday) to 6 (Sunday); opening times in minutes from midnight, local time.
_MENUS = {
    ("Demo Kitchen Group", "Riverside", "Taco Town"): (
        [("Carne Asada Taco", 450), ("Chicken Burrito", 1095), ("Chips & Guacamole", 595)],
        [(day, 11 * 60, 22 * 60) for day in range(7)],
    ),
    ("Demo Kitchen Group", "Airport", "Burger Barn"): (
        [("Classic Burger", 1095), ("Cheeseburger", 1195), ("Fries", 395)],
        [],
    ),
}
# (organization, order, provider key, location, brand, status, placed this many minutes ago)
_ORDERS = [
    ("Demo Kitchen Group", "DD-1001", "doordash", "Downtown", "Burger Barn", "preparing", 12),
    ("Demo Kitchen Group", "UE-2002", "uber_eats", "Airport", "Burger Barn", "ready", 25),
    ("Demo Kitchen Group", "GH-3003", "grubhub", "Airport", "Burger Barn", "delivered", 90),
    ("Demo Kitchen Group", "PM-6006", "postmates", "Downtown", "Taco Town", "accepted", 5),
    ("Demo Kitchen Group", "SK-4004", "skipthedishes", "Downtown", "Burger Barn", "preparing",
     18),
    ("Demo Kitchen Group", "CN-5005", "chownow", "Riverside", "Taco Town", "accepted", 8),
    ("Harbor Pizza", "HP-9001", "uber_eats", "Harbor", "Harbor Pizza", "preparing", 10),
]  # fmt: skip

OTO_DEMO_RETAILER_ID = "OTO-DEMO-1"
"""The retailer id the sandbox OTO adapter accepts (with :data:`OTO_DEMO_TOKEN` only)."""
OTO_DEMO_TOKEN = "oto-demo-token"  # noqa: S105 - the sandbox's documented demo token
"""The token the sandbox OTO adapter accepts; never stored in clear (SecretsBox)."""
OTO_DEMO_CURRENCY = "SAR"
# organization -> {branch (location): active for OTO}
_OTO_BRANCHES = {
    "Demo Kitchen Group": {"Downtown": True, "Riverside": True, "Airport": False},
}
# (organization, order, branch, type, customer, delivery address, kitchen status,
#  cashier still on it, sent to OTO, placed this many minutes ago)
_DISPATCH_ORDERS = [
    ("Demo Kitchen Group", "F-7001", "Downtown", "delivery", True, True, "ready", False, True, 40),
    ("Demo Kitchen Group", "F-7002", "Downtown", "delivery", True, False, "ready", False, False,
     35),
    ("Demo Kitchen Group", "F-7003", "Downtown", "pickup", True, True, "ready", False, False, 30),
    ("Demo Kitchen Group", "F-7004", "Airport", "delivery", True, True, "ready", False, False, 25),
    ("Demo Kitchen Group", "F-7005", "Riverside", "delivery", True, True, "not_sent", False,
     False, 20),
    ("Demo Kitchen Group", "F-7006", "Riverside", "delivery", True, True, "ready", True, False,
     15),
]  # fmt: skip


class DemoAlreadyLoaded(RuntimeError):
    """The database already holds the demo organizations."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` added."""

    organizations: int
    users: int
    locations: int
    stores: int
    accounts: int
    links: int
    menus: int = 0
    menu_items: int = 0
    orders: int = 0
    dispatch_integrations: int = 0
    dispatch_branches: int = 0
    dispatch_orders: int = 0

    def __str__(self) -> str:
        return (
            f"{self.organizations} organizations, {self.users} users, {self.locations} locations,"
            f" {self.stores} stores, {self.accounts} provider accounts, {self.links} store links,"
            f" {self.menus} menus ({self.menu_items} items), {self.orders} live orders,"
            f" {self.dispatch_integrations} dispatch integrations"
            f" ({self.dispatch_branches} branches, {self.dispatch_orders} orders)"
        )


def load_demo(target: Session | str | URL, *, now: datetime | None = None) -> DemoSummary:
    """Load the demo data exactly as DEMO.md describes it, and commit.

    Args:
        target: An open session on a migrated database, or a database URL (which is
            migrated to the latest revision first).
        now: The load time (aware); disconnected links date from two hours before it.

    Returns:
        What was added.

    Raises:
        DemoAlreadyLoaded: A demo organization already exists.
    """
    if isinstance(target, Session):
        return _load(target, now or datetime.now(timezone.utc))
    upgrade(target)
    engine = make_engine(target)
    try:
        with session_factory(engine)() as session:
            return _load(session, now or datetime.now(timezone.utc))
    finally:
        engine.dispose()


def _load(session: Session, now: datetime) -> DemoSummary:
    existing = session.scalar(select(Organization.name).where(Organization.name.in_(_USERS)))
    if existing is not None:
        raise DemoAlreadyLoaded(f"organization {existing!r} already exists")
    sync_providers(session)
    since = now.astimezone(timezone.utc).replace(microsecond=0) - DISCONNECTED_FOR
    orgs: dict[str, Organization] = {}
    stores: dict[tuple[str, str, str], Store] = {}
    for org_name, users in _USERS.items():
        org = orgs[org_name] = Organization(name=org_name)
        session.add(org)
        for name, email, phone, lang, manage, cancel, sms, mail in users:
            org.users.append(
                User(
                    name=name,
                    email=email,
                    phone=phone,
                    phone_verified=True,
                    language=lang,
                    can_manage_integrations=manage,
                    can_cancel_orders=cancel,
                    alert_sms=sms,
                    alert_email=mail,
                )
            )
        brands: dict[str, Brand] = {}
        for location_name, (has_pos, brand_names) in _LOCATIONS[org_name].items():
            location = Location(name=location_name, timezone=TIMEZONE, has_pos_device=has_pos)
            org.locations.append(location)
            for brand_name in brand_names:
                if brand_name not in brands:
                    brands[brand_name] = Brand(name=brand_name)
                    org.brands.append(brands[brand_name])
                store = Store(location=location, brand=brands[brand_name])
                stores[(org_name, location_name, brand_name)] = store
                session.add(store)
    accounts: dict[str, ProviderAccount] = {}
    for org_name, account_id, provider_key, label, login, asks_2fa in _ACCOUNTS:
        accounts[account_id] = ProviderAccount(
            id=account_id,
            organization=orgs[org_name],
            provider_key=provider_key,
            label=label,
            login=login,
            asks_2fa=asks_2fa,
        )
        session.add(accounts[account_id])
    links = 0
    for account_id, places, state, passed_qa, activated, error_type, error_case in _LINKS:
        account = accounts[account_id]
        for location_name, brand_name in places:
            key = (account.organization.name, location_name, brand_name)
            session.add(
                StoreLink(
                    account=account,
                    store=stores[key],
                    state=state,
                    passed_qa=passed_qa,
                    activated=activated,
                    error_type=error_type,
                    error_case=error_case,
                    since=since if state == "disconnected" else since - timedelta(days=30),
                )
            )
            links += 1
    locations = {
        (org_name, location.name): location for org_name, org in orgs.items()
        for location in org.locations
    }  # fmt: skip
    menu_items = _add_menus(session, stores)
    _add_orders(session, orgs, stores, now)
    integrations, branches = _add_oto(session, orgs, locations)
    _add_dispatch_orders(session, orgs, locations, now)
    session.commit()
    return DemoSummary(
        organizations=len(orgs),
        users=sum(len(users) for users in _USERS.values()),
        locations=sum(len(locations) for locations in _LOCATIONS.values()),
        stores=len(stores),
        accounts=len(accounts),
        links=links,
        menus=len(_MENUS),
        menu_items=menu_items,
        orders=len(_ORDERS),
        dispatch_integrations=integrations,
        dispatch_branches=branches,
        dispatch_orders=len(_DISPATCH_ORDERS),
    )


def _add_menus(session: Session, stores: dict[tuple[str, str, str], Store]) -> int:
    """Add the demo menus; return how many items they have."""
    items = 0
    for key, (item_rows, hour_rows) in _MENUS.items():
        menu = Menu(store=stores[key])
        menu.items = [
            MenuItem(position=position, name=name, price_cents=price)
            for position, (name, price) in enumerate(item_rows)
        ]
        menu.hours = [
            MenuHours(day_of_week=day, opens_minute=opens, closes_minute=closes)
            for day, opens, closes in hour_rows
        ]
        items += len(item_rows)
        session.add(menu)
    return items


def _minutes_before(now: datetime, minutes: int) -> datetime:
    return now.astimezone(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes)


def _add_orders(
    session: Session,
    orgs: dict[str, Organization],
    stores: dict[tuple[str, str, str], Store],
    now: datetime,
) -> None:
    """Add the live orders of DEMO.md."""
    for org_name, external_id, provider_key, location, brand, status, ago in _ORDERS:
        session.add(
            LiveOrder(
                external_id=external_id,
                organization=orgs[org_name],
                store=stores[(org_name, location, brand)],
                provider_key=provider_key,
                status=status,
                removed_from_active=False,
                placed_at=_minutes_before(now, ago),
            )
        )


def _add_oto(
    session: Session,
    orgs: dict[str, Organization],
    locations: dict[tuple[str, str], Location],
) -> tuple[int, int]:
    """Add the OTO integrations (credentials unset) and their branches; return the counts."""
    branches = 0
    for org_name, actives in _OTO_BRANCHES.items():
        integration = DispatchIntegration(
            organization=orgs[org_name], provider="oto", currency=OTO_DEMO_CURRENCY
        )
        integration.branches = [
            DispatchBranch(location=locations[(org_name, name)], active=active)
            for name, active in actives.items()
        ]
        branches += len(actives)
        session.add(integration)
    return len(_OTO_BRANCHES), branches


def _add_dispatch_orders(
    session: Session,
    orgs: dict[str, Organization],
    locations: dict[tuple[str, str], Location],
    now: datetime,
) -> None:
    """Add the cashier orders of DEMO.md's dispatch table."""
    for row in _DISPATCH_ORDERS:
        org_name, external_id, branch, order_type, customer, address = row[:6]
        kitchen, cashier_open, sent, ago = row[6:]
        session.add(
            DispatchOrder(
                external_id=external_id,
                organization=orgs[org_name],
                location=locations[(org_name, branch)],
                order_type=order_type,
                has_customer=customer,
                has_delivery_address=address,
                kitchen_status=kitchen,
                cashier_open=cashier_open,
                sent_to_oto=sent,
                placed_at=_minutes_before(now, ago),
            )
        )


# Tables that hold what repairing changed (pairings, code failures, stored credentials,
# sandbox settings, repair requests): emptied when the demo's repair state is restored.
_REPAIR_TABLES = (
    "pairing_code_failures",
    "pairing_sessions",
    "provider_credentials",
    "sandbox_accounts",
    "repair_requests",
)


def restore_demo_state(session: Session, *, now: datetime | None = None) -> int:
    """Put the demo's links, orders and OTO settings back as DEMO.md describes them.

    Users, ids and the audit log are kept; pairings, code failures, locks, stored
    credentials, sandbox settings and repair requests are removed. Live orders get their
    status back (not cancelled, not removed from the active list), the OTO integrations
    lose their saved credentials and get their currency and branch activation back, and
    the dispatch orders their fields. Demos and the end-to-end tests use it (through the
    sandbox controls) to start again from the demo.

    Returns:
        How many store links were restored.
    """
    now = now or datetime.now(timezone.utc)
    _restore_orders(session, now)
    _restore_oto(session, now)
    since = now.replace(microsecond=0) - DISCONNECTED_FOR
    tables = Base.metadata.tables
    for name in _REPAIR_TABLES:
        if name in tables:
            session.execute(tables[name].delete())
    accounts = {account.id: account for account in session.scalars(select(ProviderAccount))}
    restored = 0
    for account_id, places, state, passed_qa, activated, error_type, error_case in _LINKS:
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


def _restore_orders(session: Session, now: datetime) -> None:
    """Put the demo's live and dispatch orders back as DEMO.md describes them."""
    live = {
        (order.organization.name, order.external_id): order
        for order in session.scalars(select(LiveOrder))
    }
    for org_name, external_id, _provider, _location, _brand, status, ago in _ORDERS:
        order = live.get((org_name, external_id))
        if order is None:
            continue
        order.status, order.cancel_reason, order.cancelled_at = status, None, None
        order.removed_from_active = False
        order.placed_at = _minutes_before(now, ago)
    dispatch = {
        (order.organization.name, order.external_id): order
        for order in session.scalars(select(DispatchOrder))
    }
    for row in _DISPATCH_ORDERS:
        found = dispatch.get((row[0], row[1]))
        if found is None:
            continue
        _org, _id, _branch, found.order_type, found.has_customer = row[:5]
        found.has_delivery_address, found.kitchen_status, found.cashier_open = row[5:8]
        found.sent_to_oto, found.placed_at = row[8], _minutes_before(now, row[9])


def _restore_oto(session: Session, now: datetime) -> None:
    """Forget saved OTO credentials; put the currency and branch activation back."""
    integrations = session.scalars(
        select(DispatchIntegration).where(DispatchIntegration.provider == "oto")
    )
    for integration in integrations:
        actives = _OTO_BRANCHES.get(integration.organization.name)
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


def drop_everything(url: str | URL) -> int:
    """Drop every table of the database at ``url`` (ours and Alembic's); return how many."""
    engine = make_engine(url, foreign_keys=False)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
        return len(metadata.tables)
    finally:
        engine.dispose()


def count_organizations(url: str | URL) -> int:
    """How many organizations the (migrated) database at ``url`` holds."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Organization)) or 0
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """The demo CLI: ``--if-empty`` or ``--reset``; prints what it did."""
    parser = argparse.ArgumentParser(prog="python -m bot.platform.demo", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--if-empty", action="store_true", help="load only into an empty database")
    mode.add_argument("--reset", action="store_true", help="drop everything, then load")
    parser.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    args = parser.parse_args(argv)
    if args.database_url:
        url = args.database_url
    else:
        from bot.config import get_settings

        url = get_settings().database_url
    where = safe_url(url)
    if args.reset:
        dropped = drop_everything(url)
        print(f"Dropped {dropped} tables from {where}.")
    upgrade(url)
    print(f"Migrated {where} to the latest revision.")
    if args.if_empty:
        existing = count_organizations(url)
        if existing:
            print(f"The database already has {existing} organizations: demo data left as is.")
            return 0
    summary = load_demo(url)
    print(f"Loaded the demo data: {summary}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
