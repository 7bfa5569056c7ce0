"""Read a stack's stores whatever its profile (SQLite files, or PostgreSQL databases of
its own): every value of every table as text, for tests that search them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from bot.launcher import Stack
from bot.platform.db import make_engine, normalize_url
from bot.retention import tracker_db_url


def tracker_url(stack: Stack) -> str:
    """Rasa's tracker store of ``stack``."""
    return tracker_db_url(stack.settings())


def platform_db_url(stack: Stack) -> str:
    """The platform database of ``stack``."""
    return stack.settings().database_url


def database_text(url: str) -> str:
    """Every value of every table (and, for a SQLite file, its raw bytes) as text."""
    parts: list[str] = []
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        parts += [
            raw.read_bytes().decode("latin-1")
            for raw in (path, path.with_name(path.name + "-wal"))
            if raw.exists()
        ]
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                    parts.append(" ".join(str(value) for value in row))
    finally:
        engine.dispose()
    return "\n".join(parts)


def query_one(url: str, sql: str, **params: Any) -> Any:
    """The first row of ``sql`` on the database ``url``."""
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).first()
    finally:
        engine.dispose()


def tracker_event_data(stack: Stack) -> str:
    """Every event's ``data`` in Rasa's tracker store, as text."""
    engine = make_engine(tracker_url(stack), foreign_keys=False)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT data FROM events")).all()
    finally:
        engine.dispose()
    return "\n".join(str(row[0]) for row in rows)
