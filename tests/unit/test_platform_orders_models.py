"""Orders, menus and dispatch models: migration drift, constraints, demo restore."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.platform.db import make_engine, session_factory
from bot.platform.demo import (
    OTO_DEMO_RETAILER_ID,
    OTO_DEMO_TOKEN,
    load_demo,
    restore_demo_state,
)
from bot.platform.models import (
    Base,
    DispatchBranch,
    DispatchIntegration,
    DispatchOrder,
    LiveOrder,
    Menu,
    MenuHours,
    MenuItem,
)
from bot.platform.secrets_box import SecretsBox


def test_migrations_match_the_models(demo_db_url):
    engine = make_engine(demo_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_demo_rows_on_each_database(demo_db_url):
    engine = make_engine(demo_db_url)
    try:
        with session_factory(engine)() as session:
            assert len(session.scalars(select(LiveOrder)).all()) == 7
            assert len(session.scalars(select(DispatchOrder)).all()) == 6
            assert len(session.scalars(select(DispatchBranch)).all()) == 3
            assert len(session.scalars(select(MenuHours)).all()) == 7
    finally:
        engine.dispose()


def _order(session, external_id: str) -> LiveOrder:
    return session.scalars(select(LiveOrder).where(LiveOrder.external_id == external_id)).one()


@pytest.mark.parametrize(
    "change",
    [
        {"status": "lost"},
        {"cancel_reason": "customer_request"},  # not cancelled
        {"removed_from_active": True},  # not cancelled
    ],
)
def test_live_order_rules(demo_session, change):
    order = _order(demo_session, "DD-1001")
    for name, value in change.items():
        setattr(order, name, value)
    with pytest.raises(IntegrityError):
        demo_session.flush()


def test_external_id_unique_per_organization(demo_session):
    order = _order(demo_session, "DD-1001")
    demo_session.add(
        LiveOrder(
            external_id="DD-1001",
            organization_id=order.organization_id,
            store_id=order.store_id,
            provider_key="doordash",
            status="accepted",
        )
    )
    with pytest.raises(IntegrityError):
        demo_session.flush()


@pytest.mark.parametrize(
    "change",
    [
        {"order_type": "dine_in"},
        {"kitchen_status": "cooking"},
        {"has_customer": False},  # F-7001 has a delivery address
    ],
)
def test_dispatch_order_rules(demo_session, change):
    order = demo_session.scalars(
        select(DispatchOrder).where(DispatchOrder.external_id == "F-7001")
    ).one()
    for name, value in change.items():
        setattr(order, name, value)
    with pytest.raises(IntegrityError):
        demo_session.flush()


@pytest.mark.parametrize(
    "change",
    [
        {"currency": "sar"},
        {"currency": "SARS"},
        {"retailer_id": "OTO-DEMO-1"},  # without a token
        {"provider": "other"},
    ],
)
def test_dispatch_integration_rules(demo_session, change):
    integration = demo_session.scalars(select(DispatchIntegration)).one()
    for name, value in change.items():
        setattr(integration, name, value)
    with pytest.raises(IntegrityError):
        demo_session.flush()


def test_menu_rules_and_empty_items(demo_session):
    menu = demo_session.scalars(select(Menu)).first()
    menu.items.append(MenuItem(position=99, name=" ", price_cents=100))
    menu.items.append(MenuItem(position=100, name="Soda", price_cents=None))
    demo_session.flush()
    assert [item.position for item in menu.empty_items] == [99, 100]
    menu.hours.append(MenuHours(day_of_week=7, opens_minute=0, closes_minute=60))
    with pytest.raises(IntegrityError):
        demo_session.flush()
    demo_session.rollback()
    menu = demo_session.scalars(select(Menu)).first()
    menu.hours.append(MenuHours(day_of_week=1, opens_minute=600, closes_minute=600))
    with pytest.raises(IntegrityError):
        demo_session.flush()


def test_restore_puts_orders_and_oto_back(demo_session):
    box = SecretsBox(Fernet.generate_key().decode())
    order = _order(demo_session, "DD-1001")
    order.status, order.cancel_reason = "cancelled", "customer_request"
    order.cancelled_at = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
    order.removed_from_active = True
    integration = demo_session.scalars(select(DispatchIntegration)).one()
    integration.retailer_id = OTO_DEMO_RETAILER_ID
    integration.token_secret = box.encrypt(OTO_DEMO_TOKEN)
    integration.currency = "USD"
    for branch in integration.branches:
        branch.active = branch.location.name == "Airport"
    dispatch = demo_session.scalars(
        select(DispatchOrder).where(DispatchOrder.external_id == "F-7005")
    ).one()
    dispatch.kitchen_status, dispatch.sent_to_oto = "ready", True
    demo_session.commit()
    assert OTO_DEMO_TOKEN not in integration.token_secret
    assert box.decrypt(integration.token_secret) == OTO_DEMO_TOKEN

    assert restore_demo_state(demo_session) == 11
    demo_session.expire_all()
    order = _order(demo_session, "DD-1001")
    assert (order.status, order.cancel_reason, order.cancelled_at) == ("preparing", None, None)
    assert order.removed_from_active is False
    integration = demo_session.scalars(select(DispatchIntegration)).one()
    assert (integration.retailer_id, integration.token_secret) == (None, None)
    assert integration.currency == "SAR"
    assert {(b.location.name, b.active) for b in integration.branches} == {
        ("Downtown", True),
        ("Riverside", True),
        ("Airport", False),
    }
    dispatch = demo_session.scalars(
        select(DispatchOrder).where(DispatchOrder.external_id == "F-7005")
    ).one()
    assert (dispatch.kitchen_status, dispatch.sent_to_oto) == ("not_sent", False)


def test_latest_doordash_order_is_dd_1001(sqlite_url):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    load_demo(sqlite_url, now=now)
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as session:
            latest = session.scalars(
                select(LiveOrder)
                .where(LiveOrder.provider_key == "doordash")
                .order_by(LiveOrder.placed_at.desc())
            ).first()
            assert latest.external_id == "DD-1001"
            assert latest.placed_at < now
    finally:
        engine.dispose()
