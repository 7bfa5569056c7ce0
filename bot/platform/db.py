"""Engines, sessions and schema migrations for the platform database.

``DATABASE_URL`` (``bot.config.get_settings().database_url``) picks the database:
a SQLite file by default, PostgreSQL (through psycopg 3) in production. Run
``python -m bot.platform.db`` to migrate the configured database to the latest revision.

New revisions are written with Alembic's API against a scratch database, e.g.
``alembic.command.revision(alembic_config(url), message="...", autogenerate=True)``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalize_url(url: str | URL) -> URL:
    """The URL with the driver this project uses for each database.

    ``postgres://`` and ``postgresql://`` (and other PostgreSQL drivers) become
    ``postgresql+psycopg://``; other URLs are returned unchanged.

    Args:
        url: A SQLAlchemy database URL.

    Returns:
        The parsed, normalised URL.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername.split("+", 1)[0] in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL as text with any password masked, for messages and logs."""
    return normalize_url(url).render_as_string(hide_password=True)


def make_engine(url: str | URL, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``.

    SQLite: the file's parent directory is created when missing, foreign keys are
    enforced (unless ``foreign_keys`` is false, as during migrations) and the
    connection may be used from FastAPI's worker threads. PostgreSQL: psycopg 3 with
    pre-ping.

    Args:
        url: A SQLAlchemy database URL (``sqlite:///path``, ``postgresql://…``).
        foreign_keys: Enforce foreign keys on SQLite connections.
        **kwargs: Passed on to :func:`sqlalchemy.create_engine`.

    Returns:
        A new engine; the caller disposes of it.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str | URL) -> Config:
    """An Alembic configuration for the platform's migrations against ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates "%": escape it (URL-encoded passwords contain it).
    config.set_main_option("sqlalchemy.url", _url_for_alembic(url))
    return config


def _url_for_alembic(url: str | URL) -> str:
    return normalize_url(url).render_as_string(hide_password=False).replace("%", "%%")


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (the latest by default).

    Works on SQLite files and PostgreSQL. On SQLite, foreign keys are off while the
    migrations run (as Alembic's batch mode needs) and checked once they are done.

    Args:
        url: A SQLAlchemy database URL.
        revision: The Alembic revision to reach.

    Raises:
        RuntimeError: SQLite reports foreign-key violations after migrating.
    """
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if connection.dialect.name == "sqlite":
                violations = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if violations:
                    raise RuntimeError(f"foreign-key violations after migrating: {violations}")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.platform.db``: migrate the configured database to the latest revision."""
    from bot.config import get_settings

    url = (argv or sys.argv[1:] or [get_settings().database_url])[0]
    upgrade(url)
    print(f"Migrated {safe_url(url)} to the latest revision.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
