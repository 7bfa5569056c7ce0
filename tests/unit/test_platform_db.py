"""Engines, migrations, column types, constraints and the demo CLI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from bot.platform import demo
from bot.platform.db import make_engine, normalize_url, session_factory, upgrade
from bot.platform.models import Base, Location, Organization, StoreLink


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:***@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url).render_as_string(hide_password=True) == expected


def test_upgrade_creates_the_file_and_is_idempotent(sqlite_url, tmp_path):
    upgrade(sqlite_url)
    upgrade(sqlite_url)
    assert (tmp_path / "db" / "platform.db").exists()
    engine = make_engine(sqlite_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"organizations", "users", "store_links", "audit_log", "alembic_version"} <= tables


def test_sqlite_enforces_foreign_keys_and_checks(sqlite_url):
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as session:
            session.add(Location(organization_id=12345, name="Nowhere", timezone="UTC"))
            with pytest.raises(IntegrityError):
                session.flush()
    finally:
        engine.dispose()


def test_link_state_rules(demo_session):
    link = demo_session.scalars(select(StoreLink).where(StoreLink.account_id == "gh-main")).one()
    link.state = "disconnected"  # without an error type
    with pytest.raises(IntegrityError):
        demo_session.flush()
    demo_session.rollback()
    link = demo_session.scalars(select(StoreLink).where(StoreLink.account_id == "gh-main")).one()
    link.state, link.error_type, link.error_case = "disconnected", "invalid_credentials", "x"
    with pytest.raises(IntegrityError):
        demo_session.flush()


def test_timestamps_are_utc_aware(demo_session):
    link = demo_session.scalars(select(StoreLink)).first()
    assert link.since.utcoffset() == timedelta(0)
    link.since = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=-5)))
    demo_session.commit()
    demo_session.expire_all()
    assert demo_session.get(StoreLink, link.id).since == datetime(
        2026, 1, 1, 17, tzinfo=timezone.utc
    )
    link.since = datetime(2026, 1, 1)  # naive
    with pytest.raises(Exception, match="naive"):
        demo_session.flush()


def test_demo_cli(sqlite_url, capsys):
    assert demo.main(["--if-empty", "--database-url", sqlite_url]) == 0
    assert "Loaded the demo data: 2 organizations, 4 users" in capsys.readouterr().out
    assert demo.main(["--if-empty", "--database-url", sqlite_url]) == 0
    assert "left as is" in capsys.readouterr().out
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        session.add(Organization(name="Extra"))
        session.commit()
    engine.dispose()
    assert demo.main(["--reset", "--database-url", sqlite_url]) == 0
    out = capsys.readouterr().out
    tables = len(Base.metadata.tables) + 1  # and alembic_version
    assert f"Dropped {tables} tables" in out and "Loaded the demo data" in out
    assert demo.count_organizations(sqlite_url) == 2


def test_demo_cli_needs_a_mode():
    with pytest.raises(SystemExit):
        demo.main([])
