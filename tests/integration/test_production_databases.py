"""PROFILE=production makes its PostgreSQL databases exist before anything starts, and
says plainly which service is unreachable (real PostgreSQL and Redis)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from bot.platform.db import make_engine, normalize_url
from bot.production import ProductionUnavailable, check_redis, ensure_database
from tests.conftest import POSTGRES_URL


def _exists(name: str) -> bool:
    admin = make_engine(normalize_url(POSTGRES_URL).set(database="postgres"))
    try:
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            return bool(found)
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_a_missing_database_is_created_once(postgres_url) -> None:
    name = f"ma_test_{uuid.uuid4().hex[:12]}"
    url = normalize_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        ensure_database(url)
        ensure_database(url)  # already there: nothing happens
        assert _exists(name)
    finally:
        admin = make_engine(
            normalize_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    assert not _exists(name)


def test_unreachable_services_are_named() -> None:
    with pytest.raises(ProductionUnavailable, match="PostgreSQL at .*127.0.0.1:1"):
        ensure_database("postgresql://postgres@127.0.0.1:1/merchant_assistant")
    with pytest.raises(ProductionUnavailable, match="Redis at 127.0.0.1:1"):
        check_redis("redis://127.0.0.1:1/0")


def test_redis_that_answers_passes(redis_url) -> None:
    check_redis(redis_url)
