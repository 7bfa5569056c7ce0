"""The demo data of ``/work/shared/DEMO.md`` (organizations, users, stores, provider accounts).

``python -m bot.platform.demo --if-empty`` migrates the configured database and loads the
demo when it has no organization yet (``make db``); ``--reset`` drops every table,
migrates and loads it again (``make reset-demo``). Tests load it into their own database
with :func:`load_demo`.

It also loads the store menus, the live orders, and the OTO dispatch integration with its
branches and orders. The OTO retailer id and token are left unset (the setup by chat saves
them after the sandbox OTO adapter accepted them): the pair the sandbox accepts is
:data:`OTO_DEMO_RETAILER_ID` / :data:`OTO_DEMO_TOKEN`. And the support agents of the console
(:mod:`bot.platform.demo_agents`).
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
from bot.platform.demo_agents import put_agents
from bot.platform.demo_data import (
    ACCOUNTS,
    DISCONNECTED_FOR,
    DISPATCH_ORDERS,
    LINKS,
    LOCATIONS,
    MENUS,
    ORDERS,
    OTO_BRANCHES,
    OTO_DEMO_CURRENCY,
    OTO_DEMO_RETAILER_ID,
    OTO_DEMO_TOKEN,
    TIMEZONE,
    USERS,
    minutes_before,
)
from bot.platform.demo_restore import restore_demo_state
from bot.platform.models import (
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

__all__ = [
    "OTO_DEMO_RETAILER_ID",
    "OTO_DEMO_TOKEN",
    "DemoAlreadyLoaded",
    "DemoSummary",
    "load_demo",
    "restore_demo_state",
]


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
    agents: int = 0

    def __str__(self) -> str:
        return (
            f"{self.organizations} organizations, {self.users} users, {self.locations} locations,"
            f" {self.stores} stores, {self.accounts} provider accounts, {self.links} store links,"
            f" {self.menus} menus ({self.menu_items} items), {self.orders} live orders,"
            f" {self.dispatch_integrations} dispatch integrations"
            f" ({self.dispatch_branches} branches, {self.dispatch_orders} orders),"
            f" {self.agents} support agents"
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
    existing = session.scalar(select(Organization.name).where(Organization.name.in_(USERS)))
    if existing is not None:
        raise DemoAlreadyLoaded(f"organization {existing!r} already exists")
    sync_providers(session)
    since = now.astimezone(timezone.utc).replace(microsecond=0) - DISCONNECTED_FOR
    orgs: dict[str, Organization] = {}
    stores: dict[tuple[str, str, str], Store] = {}
    for org_name, users in USERS.items():
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
        for location_name, (has_pos, brand_names) in LOCATIONS[org_name].items():
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
    for org_name, account_id, provider_key, label, login, asks_2fa in ACCOUNTS:
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
    for account_id, places, state, passed_qa, activated, error_type, error_case in LINKS:
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
    agents = put_agents(session)
    session.commit()
    return DemoSummary(
        organizations=len(orgs),
        users=sum(len(users) for users in USERS.values()),
        locations=sum(len(locations) for locations in LOCATIONS.values()),
        stores=len(stores),
        accounts=len(accounts),
        links=links,
        menus=len(MENUS),
        menu_items=menu_items,
        orders=len(ORDERS),
        dispatch_integrations=integrations,
        dispatch_branches=branches,
        dispatch_orders=len(DISPATCH_ORDERS),
        agents=agents,
    )


def _add_menus(session: Session, stores: dict[tuple[str, str, str], Store]) -> int:
    """Add the demo menus; return how many items they have."""
    items = 0
    for key, (item_rows, hour_rows) in MENUS.items():
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


def _add_orders(
    session: Session,
    orgs: dict[str, Organization],
    stores: dict[tuple[str, str, str], Store],
    now: datetime,
) -> None:
    """Add the live orders of DEMO.md."""
    for org_name, external_id, provider_key, location, brand, status, ago in ORDERS:
        session.add(
            LiveOrder(
                external_id=external_id,
                organization=orgs[org_name],
                store=stores[(org_name, location, brand)],
                provider_key=provider_key,
                status=status,
                removed_from_active=False,
                placed_at=minutes_before(now, ago),
            )
        )


def _add_oto(
    session: Session,
    orgs: dict[str, Organization],
    locations: dict[tuple[str, str], Location],
) -> tuple[int, int]:
    """Add the OTO integrations (credentials unset) and their branches; return the counts."""
    branches = 0
    for org_name, actives in OTO_BRANCHES.items():
        integration = DispatchIntegration(
            organization=orgs[org_name], provider="oto", currency=OTO_DEMO_CURRENCY
        )
        integration.branches = [
            DispatchBranch(location=locations[(org_name, name)], active=active)
            for name, active in actives.items()
        ]
        branches += len(actives)
        session.add(integration)
    return len(OTO_BRANCHES), branches


def _add_dispatch_orders(
    session: Session,
    orgs: dict[str, Organization],
    locations: dict[tuple[str, str], Location],
    now: datetime,
) -> None:
    """Add the cashier orders of DEMO.md's dispatch table."""
    for row in DISPATCH_ORDERS:
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
                placed_at=minutes_before(now, ago),
            )
        )


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
