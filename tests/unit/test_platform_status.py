"""The status, user and audit services over the demo data (SQLite)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.platform.models import AuditLog, Provider, StoreLink
from bot.platform.services.audit import record_audit
from bot.platform.services.catalog_sync import sync_providers
from bot.platform.services.errors import UnknownLocation, UnknownProvider
from bot.platform.services.locations import find_location
from bot.platform.services.status import StoreRef, integration_status
from bot.platform.services.users import (
    get_user_by_email,
    integration_managers,
    list_users,
)


def _user(session, email):
    return get_user_by_email(session, email)


def test_olivia_status(demo_session):
    report = integration_status(demo_session, _user(demo_session, "olivia@demo-kitchen.test"))
    assert report.organization == "Demo Kitchen Group"
    assert [(b.account_id, b.error_type, b.error_case) for b in report.broken] == [
        ("dr-river", "invalid_store_configuration", "inactive_restaurant"),
        ("dd-main", "two_factor_required", None),
        ("gl-main", "third_party_blocked", None),
        ("ue-main", "invalid_credentials", None),
        ("ue-river", "invalid_store_configuration", "non_traditional_login"),
    ]
    assert [(w.account_id, w.state) for w in report.working] == [
        ("dd-river", "connected"),
        ("gh-main", "active"),
        ("je-main", "active"),
    ]
    ue_main = next(b for b in report.broken if b.account_id == "ue-main")
    assert ue_main.stores == [
        StoreRef("Airport", "Burger Barn"),
        StoreRef("Downtown", "Burger Barn"),
    ]
    assert ue_main.since.tzinfo is not None


def test_one_broken_entry_per_error(demo_session):
    """Stores of one account with different errors make separate entries."""
    link = demo_session.scalars(
        select(StoreLink).where(StoreLink.account_id == "dd-main").order_by(StoreLink.id)
    ).first()
    link.error_type = "mfa_required"
    demo_session.flush()
    report = integration_status(
        demo_session, _user(demo_session, "olivia@demo-kitchen.test"), provider="DoorDash"
    )
    assert [(b.account_id, b.error_type, len(b.stores)) for b in report.broken] == [
        ("dd-main", "mfa_required", 1),
        ("dd-main", "two_factor_required", 1),
    ]


def test_filters(demo_session):
    olivia = _user(demo_session, "olivia@demo-kitchen.test")
    report = integration_status(demo_session, olivia, provider="ubereats", location=" AIRPORT ")
    assert (report.filters.provider, report.filters.location) == ("Uber Eats", "Airport")
    assert [(b.account_id, b.stores) for b in report.broken] == [
        ("ue-main", [StoreRef("Airport", "Burger Barn")])
    ]
    assert report.working == []
    report = integration_status(demo_session, olivia, provider="", location="")
    assert report.filters.provider is None and report.filters.location is None
    assert len(report.broken) == 5


def test_unknown_filters(demo_session):
    olivia = _user(demo_session, "olivia@demo-kitchen.test")
    with pytest.raises(UnknownProvider) as raised:
        integration_status(demo_session, olivia, provider="Foodora")
    assert (raised.value.code, raised.value.value) == ("unknown_provider", "Foodora")
    with pytest.raises(UnknownLocation):
        integration_status(demo_session, olivia, location="Harbor")
    hank = _user(demo_session, "hank@harbor-pizza.test")
    assert find_location(demo_session, hank.organization_id, "harbor").name == "Harbor"
    assert find_location(demo_session, hank.organization_id, "Downtown") is None


def test_permissions_and_who_can(demo_session):
    sofia = _user(demo_session, "sofia@demo-kitchen.test")
    steps = {b.account_id: b.next_step for b in integration_status(demo_session, sofia).broken}
    assert steps["ue-main"].allowed is False
    assert steps["ue-main"].who_can == ["Olivia Owner"]
    assert steps["dr-river"].allowed is True
    assert steps["dr-river"].check_allowed is False
    assert integration_managers(demo_session, sofia.organization_id) == ["Olivia Owner"]


def test_stale_guide(demo_session):
    olivia = _user(demo_session, "olivia@demo-kitchen.test")
    later = datetime(2027, 3, 1, tzinfo=timezone.utc)
    steps = {
        b.account_id: b.next_step
        for b in integration_status(demo_session, olivia, provider="Deliveroo", now=later).broken
    }
    assert steps["dr-river"].guide_stale is True
    assert steps["dr-river"].guide_last_verified.isoformat() == "2026-10-15"
    fresh = datetime(2026, 11, 1, tzinfo=timezone.utc)
    report = integration_status(demo_session, olivia, provider="Deliveroo", now=fresh)
    assert report.broken[0].next_step.guide_stale is False


def test_generic_store_configuration_steps(demo_session):
    """A case the catalog has no guide for gets the generic steps and the provider's phone."""
    link = demo_session.scalars(select(StoreLink).where(StoreLink.account_id == "dd-main")).first()
    link.error_type, link.error_case = "invalid_store_configuration", None
    demo_session.flush()
    olivia = _user(demo_session, "olivia@demo-kitchen.test")
    report = integration_status(demo_session, olivia, provider="DoorDash", lang="fr")
    entry = next(b for b in report.broken if b.error_type == "invalid_store_configuration")
    assert entry.next_step.kind == "portal_steps"
    assert entry.next_step.contact == "Support marchands DoorDash : 855-222-8111"
    assert entry.next_step.guide_last_verified is None
    assert entry.next_step.steps[0].startswith("Connectez-vous au portail marchand de DoorDash")


def test_isolation(demo_session):
    hank = _user(demo_session, "hank@harbor-pizza.test")
    report = integration_status(demo_session, hank)
    assert report.organization == "Harbor Pizza"
    assert [b.account_id for b in report.broken] == ["hp-ue"]
    assert report.working == []


def test_users(demo_session):
    assert [u.name for u in list_users(demo_session)] == [
        "Marc Manager",
        "Olivia Owner",
        "Sofia Staff",
        "Hank Harbor",
    ]
    assert _user(demo_session, " SOFIA@demo-kitchen.test ").name == "Sofia Staff"
    assert _user(demo_session, "") is None


def test_record_audit(demo_session):
    olivia = _user(demo_session, "olivia@demo-kitchen.test")
    entry = record_audit(
        demo_session,
        organization_id=olivia.organization_id,
        user_id=olivia.id,
        action="integration.reconnect",
        detail={"account_id": "ue-main"},
    )
    demo_session.commit()
    stored = demo_session.get(AuditLog, entry.id)
    assert (stored.action, stored.detail, stored.user_id) == (
        "integration.reconnect",
        {"account_id": "ue-main"},
        olivia.id,
    )
    assert stored.created_at.tzinfo is not None


def test_sync_providers_is_idempotent(demo_session):
    assert sync_providers(demo_session) == 0
    row = demo_session.get(Provider, "doordash")
    row.name = "Old name"
    demo_session.flush()
    assert sync_providers(demo_session) == 1
    assert demo_session.get(Provider, "doordash").name == "DoorDash"
    assert demo_session.scalar(select(Provider).where(Provider.key == "postmates")).cancel_via_us
