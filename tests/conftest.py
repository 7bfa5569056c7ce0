"""Shared database fixtures: a fresh SQLite file, or a fresh PostgreSQL schema, per test.

PostgreSQL is reached at ``TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Where it is unreachable its tests
are skipped — except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.platform.db import make_engine, normalize_url, session_factory
from bot.platform.demo import load_demo

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unavailable(message: str) -> None:
    """Skip with ``message`` — or fail under ``CI=true``, where every service must be up."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true needs it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis at ``TEST_REDIS_URL`` (default 127.0.0.1:6379/0); tests use unique keys."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {REDIS_URL} is unreachable ({exc}); start Redis to run these")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests (``None`` when it can)."""
    engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "unreachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()
    return None


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite file URL in the test's own directory (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'db' / 'platform.db'}"


@pytest.fixture
def postgres_url(_postgres_problem) -> Iterator[str]:
    """A PostgreSQL URL whose search path is a new, empty schema (dropped afterwards)."""
    if _postgres_problem:
        where = normalize_url(POSTGRES_URL).render_as_string(hide_password=True)
        message = f"PostgreSQL at {where} is unreachable ({_postgres_problem})"
        _unavailable(f"{message}; set TEST_POSTGRES_URL or start PostgreSQL to run these")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalize_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """An empty database of each kind: the test runs once on SQLite, once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def demo_db_url(db_url) -> str:
    """``db_url`` migrated and loaded with the demo data."""
    load_demo(db_url)
    return db_url


@pytest.fixture
def demo_session(sqlite_url) -> Iterator[Session]:
    """A session on a fresh SQLite database with the demo data."""
    load_demo(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
