"""The demo data of ``/work/shared/DEMO.md`` (organizations, users, stores, provider accounts).

``python -m bot.platform.demo --if-empty`` migrates the configured database and loads the
demo when it has no organization yet (``make db``); ``--reset`` drops every table,
migrates and loads it again (``make reset-demo``). Tests load it into their own database
with :func:`load_demo`.

Orders, menus, the dispatch integration and support agents belong to later issues.
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
    Location,
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

    def __str__(self) -> str:
        return (
            f"{self.organizations} organizations, {self.users} users, {self.locations} locations,"
            f" {self.stores} stores, {self.accounts} provider accounts, {self.links} store links"
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
    session.commit()
    return DemoSummary(
        organizations=len(orgs),
        users=sum(len(users) for users in _USERS.values()),
        locations=sum(len(locations) for locations in _LOCATIONS.values()),
        stores=len(stores),
        accounts=len(accounts),
        links=links,
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
    """Put every demo store link back as DEMO.md describes it and forget repair history.

    Users, ids and the audit log are kept; pairings, code failures, locks, stored
    credentials, sandbox settings and repair requests are removed. Demos and the
    end-to-end tests use it (through the sandbox controls) to start again from the demo.

    Returns:
        How many store links were restored.
    """
    since = (now or datetime.now(timezone.utc)).replace(microsecond=0) - DISCONNECTED_FOR
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
