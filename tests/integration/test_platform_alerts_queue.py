"""Incidents and the alert outbox on DEMO.md's healthy links (SQLite and PostgreSQL).

Grubhub at Airport / Burger Barn and Just Eat at Downtown / Burger Barn are healthy.
Olivia wants SMS and e-mail (en), Marc e-mail (fr), Sofia nothing; Downtown has a POS
device; Hank (Harbor Pizza) wants SMS but must get nothing of Demo Kitchen Group's.
Time is passed in (``now``), never waited for.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.platform.db import make_engine, session_factory
from bot.platform.demo import load_demo, restore_demo_state
from bot.platform.models import (
    AlertItem,
    AlertOutbox,
    Incident,
    PosTicket,
    ProviderAccount,
    StoreLink,
)
from bot.platform.providers.adapter import ConnectionCheck
from bot.platform.services.link_health import mark_connected, mark_disconnected
from bot.platform.services.repair_accounts import apply_connection
from tests.integration.conftest import make_settings

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
JUST_EAT = ("je-main", "Downtown", "Burger Barn")
GRUBHUB = ("gh-main", "Airport", "Burger Barn")


@pytest.fixture
def alert_settings(demo_db_url) -> Settings:
    """Settings with the contract's default windows (damping 120 s, digest 300 s)."""
    return make_settings(demo_db_url, alert_damping_seconds=120, alert_digest_seconds=300)


def link_of(session: Session, place: tuple[str, str, str]) -> StoreLink:
    """The store link of (account, location, brand)."""
    account_id, location, brand = place
    for link in session.scalars(select(StoreLink).where(StoreLink.account_id == account_id)):
        if (link.store.location.name, link.store.brand.name) == (location, brand):
            return link
    raise AssertionError(f"no link {place}")


def break_at(
    sessions: sessionmaker[Session], settings: Settings, place: tuple[str, str, str], at: datetime
) -> Incident | None:
    """Disconnect a link (invalid credentials) at ``at`` in its own transaction."""
    with sessions() as session:
        incident = mark_disconnected(
            session, link_of(session, place), "invalid_credentials", now=at, settings=settings
        )
        session.commit()
        return incident


def reconnect_at(
    sessions: sessionmaker[Session], place: tuple[str, str, str], at: datetime
) -> None:
    """Bring a link back at ``at`` in its own transaction."""
    with sessions() as session:
        mark_connected(session, link_of(session, place), now=at)
        session.commit()


def outbox(sessions: sessionmaker[Session]) -> list[dict[str, object]]:
    """Every outbox row as (channel, who, address, language, state, due_at, items)."""
    with sessions() as session:
        rows = []
        for row in session.scalars(select(AlertOutbox).order_by(AlertOutbox.id)):
            who = row.user.email if row.user else row.location.name  # type: ignore[union-attr]
            rows.append(
                {
                    "channel": row.channel,
                    "who": who,
                    "address": row.address,
                    "language": row.language,
                    "state": row.state,
                    "due_at": row.due_at,
                    "items": [(i.incident_id, i.cancelled_at is not None) for i in row.items],
                }
            )
        return rows


def summary(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    """(channel, who, address, language) of each row, sorted."""
    return sorted((r["channel"], r["who"], r["address"], r["language"]) for r in rows)


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


ONE_BREAK = [
    ("email", "marc@demo-kitchen.test", "marc@demo-kitchen.test", "fr"),
    ("email", "olivia@demo-kitchen.test", "olivia@demo-kitchen.test", "en"),
    ("pos", "Downtown", "Downtown", "en"),
    ("sms", "olivia@demo-kitchen.test", "+15550000001", "en"),
]


def test_a_break_queues_one_alert_per_recipient_and_channel(sessions, alert_settings):
    incident = break_at(sessions, alert_settings, JUST_EAT, T0)
    assert incident is not None
    rows = outbox(sessions)
    assert summary(rows) == ONE_BREAK  # nothing for Sofia (no alerts) or Hank (Harbor Pizza)
    due = {(r["channel"], r["who"]): r["due_at"] for r in rows}
    assert due[("sms", "olivia@demo-kitchen.test")] == T0 + timedelta(seconds=120)
    assert due[("pos", "Downtown")] == T0 + timedelta(seconds=120)
    assert due[("email", "olivia@demo-kitchen.test")] == T0 + timedelta(seconds=300)
    with sessions() as session:
        stored = session.get(Incident, incident.id)
        assert (stored.state, stored.provider, stored.error_type) == (
            "pending",
            "just_eat",
            "invalid_credentials",
        )
        assert stored.alert_at == T0 + timedelta(seconds=120)
        assert link_of(session, JUST_EAT).state == "disconnected"


def test_the_same_break_five_times_queues_once(sessions, alert_settings):
    for second in range(5):
        break_at(sessions, alert_settings, JUST_EAT, T0 + timedelta(seconds=second))
    assert summary(outbox(sessions)) == ONE_BREAK
    assert count(sessions, Incident) == 1
    assert count(sessions, AlertItem) == 4


def test_one_item_per_incident_channel_and_recipient_in_the_database(sessions, alert_settings):
    incident = break_at(sessions, alert_settings, JUST_EAT, T0)
    with sessions() as session:
        row = session.scalars(select(AlertOutbox).where(AlertOutbox.channel == "sms")).one()
        row.items.append(
            AlertItem(
                incident_id=incident.id, channel="sms", recipient_key=row.items[0].recipient_key
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_two_stores_within_the_digest_window_make_one_email_each(sessions, alert_settings):
    first = break_at(sessions, alert_settings, GRUBHUB, T0)
    second = break_at(sessions, alert_settings, JUST_EAT, T0 + timedelta(seconds=60))
    rows = outbox(sessions)
    emails = {r["who"]: r for r in rows if r["channel"] == "email"}
    assert sorted(emails) == ["marc@demo-kitchen.test", "olivia@demo-kitchen.test"]
    assert len([r for r in rows if r["channel"] == "email"]) == 2
    for row in emails.values():
        assert row["items"] == [(first.id, False), (second.id, False)]
        assert row["due_at"] == T0 + timedelta(seconds=300)
    assert [r["address"] for r in rows if r["channel"] == "sms"] == ["+15550000001"] * 2
    assert [r["who"] for r in rows if r["channel"] == "pos"] == ["Downtown"]  # Airport: no POS


def test_two_stores_outside_the_digest_window_make_two_emails_each(sessions, alert_settings):
    break_at(sessions, alert_settings, GRUBHUB, T0)
    break_at(sessions, alert_settings, JUST_EAT, T0 + timedelta(seconds=301))
    emails = [r for r in outbox(sessions) if r["channel"] == "email"]
    assert sorted(r["who"] for r in emails) == [
        "marc@demo-kitchen.test",
        "marc@demo-kitchen.test",
        "olivia@demo-kitchen.test",
        "olivia@demo-kitchen.test",
    ]
    assert all(len(r["items"]) == 1 for r in emails)


def test_a_flap_before_alert_at_cancels_everything(sessions, alert_settings):
    incident = break_at(sessions, alert_settings, JUST_EAT, T0)
    reconnect_at(sessions, JUST_EAT, T0 + timedelta(seconds=119))
    rows = outbox(sessions)
    assert {r["state"] for r in rows} == {"cancelled"} and len(rows) == 4
    assert all(cancelled for r in rows for _id, cancelled in r["items"])
    with sessions() as session:
        stored = session.get(Incident, incident.id)
        assert stored.state == "flapped"
        assert stored.resolved_at == T0 + timedelta(seconds=119)
        assert link_of(session, JUST_EAT).state == "active"


def test_a_flap_leaves_the_other_store_in_the_digest(sessions, alert_settings):
    kept = break_at(sessions, alert_settings, GRUBHUB, T0)
    flapped = break_at(sessions, alert_settings, JUST_EAT, T0 + timedelta(seconds=30))
    reconnect_at(sessions, JUST_EAT, T0 + timedelta(seconds=60))
    rows = outbox(sessions)
    for row in (r for r in rows if r["channel"] == "email"):
        assert row["state"] == "pending"
        assert row["items"] == [(kept.id, False), (flapped.id, True)]
    assert sorted((r["channel"], r["state"]) for r in rows if r["channel"] != "email") == [
        ("pos", "cancelled"),
        ("sms", "cancelled"),
        ("sms", "pending"),
    ]


def test_coming_back_after_alert_at_resolves_and_keeps_the_alerts(sessions, alert_settings):
    incident = break_at(sessions, alert_settings, JUST_EAT, T0)
    reconnect_at(sessions, JUST_EAT, T0 + timedelta(seconds=121))
    with sessions() as session:
        assert session.get(Incident, incident.id).state == "resolved"
    assert {r["state"] for r in outbox(sessions)} == {"pending"}


def test_the_incident_and_its_alerts_share_the_transaction(sessions, alert_settings):
    with sessions() as session:
        mark_disconnected(
            session,
            link_of(session, JUST_EAT),
            "invalid_credentials",
            now=T0,
            settings=alert_settings,
        )
        assert session.scalar(select(func.count()).select_from(AlertOutbox)) == 4
        session.rollback()
    assert (
        count(sessions, Incident),
        count(sessions, AlertOutbox),
        count(sessions, AlertItem),
    ) == (0, 0, 0)
    with sessions() as session:
        assert link_of(session, JUST_EAT).state == "active"


def test_a_connection_check_goes_through_link_health(sessions, alert_settings):
    with sessions() as session:
        account = session.get(ProviderAccount, "je-main")
        apply_connection(session, account, ConnectionCheck("two_factor_required"), T0)
        session.commit()
    assert summary(outbox(sessions)) == ONE_BREAK
    with sessions() as session:
        account = session.get(ProviderAccount, "je-main")
        apply_connection(session, account, ConnectionCheck(), T0 + timedelta(seconds=10))
        session.commit()
        assert session.scalars(select(Incident.state)).all() == ["flapped"]
    # Reconnecting an account that was broken before any incident (the demo's) queues nothing.
    with sessions() as session:
        account = session.get(ProviderAccount, "ue-main")
        apply_connection(session, account, ConnectionCheck(), T0)
        session.commit()
    assert count(sessions, Incident) == 1


def test_the_demo_loader_and_reset_leave_no_alerts(sessions, alert_settings):
    assert count(sessions, Incident) == 0  # loading the demo (broken links) opened none
    incident = break_at(sessions, alert_settings, JUST_EAT, T0)
    with sessions() as session:
        location_id = link_of(session, JUST_EAT).store.location_id
        session.add(PosTicket(location_id=location_id, incident_id=incident.id, body="x"))
        session.commit()
        restore_demo_state(session)
    for model in (Incident, AlertOutbox, AlertItem, PosTicket):
        assert count(sessions, model) == 0
    with sessions() as session:
        assert link_of(session, JUST_EAT).state == "active"


@pytest.mark.postgres
def test_concurrent_breaks_queue_once_on_postgresql(postgres_url):
    load_demo(postgres_url)
    settings = make_settings(postgres_url)
    engine = make_engine(postgres_url, pool_size=4)
    sessions = session_factory(engine)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with sessions() as session:
                link = link_of(session, JUST_EAT)  # both read it working
                barrier.wait(timeout=10)
                mark_disconnected(session, link, "invalid_credentials", now=T0, settings=settings)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert count(sessions, Incident) == 1
        assert summary(outbox(sessions)) == ONE_BREAK
    finally:
        engine.dispose()
