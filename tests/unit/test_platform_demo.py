"""The demo data matches DEMO.md exactly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.platform.db import make_engine, session_factory
from bot.platform.demo import DemoAlreadyLoaded, load_demo
from bot.platform.models import Location, ProviderAccount, Store, StoreLink, User


def test_users(demo_session):
    users = demo_session.scalars(select(User).order_by(User.phone)).all()
    assert [
        (
            u.organization.name, u.name, u.email, u.phone, u.phone_verified, u.language,
            u.can_manage_integrations, u.can_cancel_orders, u.alert_sms, u.alert_email,
        )
        for u in users
    ] == [
        ("Demo Kitchen Group", "Olivia Owner", "olivia@demo-kitchen.test", "+15550000001",
         True, "en", True, True, True, True),
        ("Demo Kitchen Group", "Marc Manager", "marc@demo-kitchen.test", "+15550000002",
         True, "fr", False, True, False, True),
        ("Demo Kitchen Group", "Sofia Staff", "sofia@demo-kitchen.test", "+15550000003",
         True, "es", False, False, False, False),
        ("Harbor Pizza", "Hank Harbor", "hank@harbor-pizza.test", "+15550000009",
         True, "en", True, True, True, False),
    ]  # fmt: skip


def test_locations_and_stores(demo_session):
    locations = demo_session.scalars(select(Location).order_by(Location.id)).all()
    assert [
        (loc.organization.name, loc.name, loc.timezone, loc.has_pos_device) for loc in locations
    ] == [
        ("Demo Kitchen Group", "Downtown", "America/New_York", True),
        ("Demo Kitchen Group", "Airport", "America/New_York", False),
        ("Demo Kitchen Group", "Riverside", "America/New_York", False),
        ("Harbor Pizza", "Harbor", "America/New_York", False),
    ]
    stores = {(s.location.name, s.brand.name) for s in demo_session.scalars(select(Store))}
    assert stores == {
        ("Downtown", "Burger Barn"),
        ("Downtown", "Taco Town"),
        ("Airport", "Burger Barn"),
        ("Riverside", "Taco Town"),
        ("Harbor", "Harbor Pizza"),
    }


def test_accounts(demo_session):
    accounts = demo_session.scalars(select(ProviderAccount).order_by(ProviderAccount.id)).all()
    assert {a.id: (a.provider.name, a.label, a.login, a.asks_2fa) for a in accounts} == {
        "dd-main": ("DoorDash", "DoorDash — main", "doordash@demo-kitchen.test", True),
        "dd-river": (
            "DoorDash",
            "DoorDash — Riverside",
            "doordash-riverside@demo-kitchen.test",
            True,
        ),
        "dr-river": ("Deliveroo", "Deliveroo — Riverside", "deliveroo@demo-kitchen.test", False),
        "gh-main": ("Grubhub", "Grubhub — main", "grubhub@demo-kitchen.test", False),
        "gl-main": ("Glovo", "Glovo — main", "glovo@demo-kitchen.test", True),
        "hp-ue": ("Uber Eats", "Uber Eats — Harbor", "ubereats@harbor-pizza.test", False),
        "je-main": ("Just Eat", "Just Eat — main", "justeat@demo-kitchen.test", False),
        "ue-main": ("Uber Eats", "Uber Eats — main", "ubereats@demo-kitchen.test", False),
        "ue-river": (
            "Uber Eats",
            "Uber Eats — Riverside",
            "ubereats-riverside@demo-kitchen.test",
            False,
        ),
    }
    assert {a.id for a in accounts if a.organization.name == "Harbor Pizza"} == {"hp-ue"}


def test_links(demo_session):
    links = demo_session.scalars(select(StoreLink)).all()
    found = {
        (link.account_id, link.store.location.name, link.store.brand.name): (
            link.state, link.passed_qa, link.activated, link.error_type, link.error_case,
        )
        for link in links
    }  # fmt: skip
    off, isc = "disconnected", "invalid_store_configuration"
    assert found == {
        ("ue-main", "Downtown", "Burger Barn"): (off, True, True, "invalid_credentials", None),
        ("ue-main", "Airport", "Burger Barn"): (off, True, True, "invalid_credentials", None),
        ("dd-main", "Downtown", "Burger Barn"): (off, True, True, "two_factor_required", None),
        ("dd-main", "Downtown", "Taco Town"): (off, True, True, "two_factor_required", None),
        ("dd-river", "Riverside", "Taco Town"): ("connected", True, False, None, None),
        ("gh-main", "Airport", "Burger Barn"): ("active", True, True, None, None),
        ("dr-river", "Riverside", "Taco Town"): (off, True, True, isc, "inactive_restaurant"),
        ("ue-river", "Riverside", "Taco Town"): (off, True, True, isc, "non_traditional_login"),
        ("gl-main", "Downtown", "Taco Town"): (off, True, True, "third_party_blocked", None),
        ("je-main", "Downtown", "Burger Barn"): ("active", True, True, None, None),
        ("hp-ue", "Harbor", "Harbor Pizza"): (off, True, True, "invalid_credentials", None),
    }


def test_disconnected_since_two_hours_before_load(sqlite_url):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    summary = load_demo(sqlite_url, now=now)
    assert summary.links == 11
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as session:
            since = {
                link.since
                for link in session.scalars(
                    select(StoreLink).where(StoreLink.state == "disconnected")
                )
            }
            assert since == {now - timedelta(hours=2)}
            with pytest.raises(DemoAlreadyLoaded):
                load_demo(session)
    finally:
        engine.dispose()
