"""The demo data matches DEMO.md exactly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.platform.db import make_engine, session_factory
from bot.platform.demo import DemoAlreadyLoaded, load_demo
from bot.platform.models import (
    DispatchBranch,
    DispatchIntegration,
    DispatchOrder,
    LiveOrder,
    Location,
    Menu,
    ProviderAccount,
    Store,
    StoreLink,
    User,
)


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
    assert (summary.menus, summary.menu_items, summary.orders) == (2, 6, 7)
    assert (summary.dispatch_integrations, summary.dispatch_branches) == (1, 3)
    assert summary.dispatch_orders == 6
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


def test_live_orders(demo_session):
    orders = demo_session.scalars(select(LiveOrder)).all()
    found = {
        o.external_id: (
            o.organization.name, o.provider.name, o.store.location.name, o.store.brand.name,
            o.status, o.cancel_reason, o.cancelled_at, o.removed_from_active,
        )
        for o in orders
    }  # fmt: skip
    dkg = "Demo Kitchen Group"
    assert found == {
        "DD-1001": (dkg, "DoorDash", "Downtown", "Burger Barn", "preparing", None, None, False),
        "UE-2002": (dkg, "Uber Eats", "Airport", "Burger Barn", "ready", None, None, False),
        "GH-3003": (dkg, "Grubhub", "Airport", "Burger Barn", "delivered", None, None, False),
        "PM-6006": (dkg, "Postmates", "Downtown", "Taco Town", "accepted", None, None, False),
        "SK-4004": (
            dkg, "SkipTheDishes", "Downtown", "Burger Barn", "preparing", None, None, False,
        ),
        "CN-5005": (dkg, "ChowNow", "Riverside", "Taco Town", "accepted", None, None, False),
        "HP-9001": (
            "Harbor Pizza", "Uber Eats", "Harbor", "Harbor Pizza", "preparing", None, None, False,
        ),
    }  # fmt: skip
    # Each order's store belongs to the order's organization.
    assert all(o.store.location.organization_id == o.organization_id for o in orders)
    via_us = {o.external_id for o in orders if o.provider.cancel_via_us}
    assert via_us == {"DD-1001", "UE-2002", "GH-3003", "PM-6006", "HP-9001"}


def test_menus(demo_session):
    menus = {
        (m.store.location.name, m.store.brand.name): m for m in demo_session.scalars(select(Menu))
    }
    assert set(menus) == {("Riverside", "Taco Town"), ("Airport", "Burger Barn")}
    riverside = menus[("Riverside", "Taco Town")]
    assert riverside.items and not riverside.empty_items
    assert [(h.day_of_week, h.opens_minute, h.closes_minute) for h in riverside.hours] == [
        (day, 11 * 60, 22 * 60) for day in range(7)
    ]
    assert riverside.weekly_open_minutes == 7 * 11 * 60
    airport = menus[("Airport", "Burger Barn")]
    assert airport.items and not airport.empty_items
    assert airport.hours == [] and airport.weekly_open_minutes == 0


def test_oto_integration_and_branches(demo_session):
    integration = demo_session.scalars(select(DispatchIntegration)).one()
    assert integration.organization.name == "Demo Kitchen Group"
    assert integration.provider == "oto"
    assert integration.currency == "SAR"
    # The credentials are entered through the one-time setup page, never preloaded.
    assert (integration.retailer_id, integration.token_secret) == (None, None)
    assert not integration.has_credentials
    branches = demo_session.scalars(select(DispatchBranch)).all()
    assert {(b.integration_id, b.location.name, b.active) for b in branches} == {
        (integration.id, "Downtown", True),
        (integration.id, "Riverside", True),
        (integration.id, "Airport", False),
    }


def test_dispatch_orders(demo_session):
    orders = demo_session.scalars(select(DispatchOrder)).all()
    found = {
        o.external_id: (
            o.organization.name, o.location.name, o.order_type, o.has_customer,
            o.has_delivery_address, o.kitchen_status, o.cashier_open, o.sent_to_oto,
        )
        for o in orders
    }  # fmt: skip
    dkg = "Demo Kitchen Group"
    assert found == {
        "F-7001": (dkg, "Downtown", "delivery", True, True, "ready", False, True),
        "F-7002": (dkg, "Downtown", "delivery", True, False, "ready", False, False),
        "F-7003": (dkg, "Downtown", "pickup", True, True, "ready", False, False),
        "F-7004": (dkg, "Airport", "delivery", True, True, "ready", False, False),
        "F-7005": (dkg, "Riverside", "delivery", True, True, "not_sent", False, False),
        "F-7006": (dkg, "Riverside", "delivery", True, True, "ready", True, False),
    }
