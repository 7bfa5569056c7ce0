"""The production profile's storage (PROFILE=production): what Rasa's
``endpoints-production.yml`` reads from the environment, and the databases made ready
before the processes start.

Rasa's tracker store is a SQLAlchemy 1.4 ``SQLTrackerStore`` (psycopg2, in Rasa's own
virtualenv) on RASA_TRACKER_URL; its lock store is a ``RedisLockStore`` on REDIS_URL's
server and database, under its own key prefix.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import RASA_LOCK_PREFIX, Settings
from bot.platform.db import make_engine, normalize_url, safe_url


class ProductionUnavailable(RuntimeError):
    """PostgreSQL or Redis cannot be reached: the message says which and where."""


def rasa_tracker_url(settings: Settings) -> str:
    """RASA_TRACKER_URL as Rasa's SQLAlchemy 1.4 reads it (the default psycopg2 driver)."""
    url = make_url(settings.rasa_tracker_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def production_env(settings: Settings) -> dict[str, str]:
    """The variables ``endpoints-production.yml`` names."""
    lock = urlsplit(settings.redis_url)
    return {
        "RASA_TRACKER_STORE_URL": rasa_tracker_url(settings),
        "RASA_LOCK_HOST": lock.hostname or "127.0.0.1",
        "RASA_LOCK_PORT": str(lock.port or 6379),
        "RASA_LOCK_DB": (lock.path or "/0").strip("/") or "0",
        "RASA_LOCK_PASSWORD": lock.password or "",
        "RASA_LOCK_PREFIX": RASA_LOCK_PREFIX,
        "LOG_FORMAT": settings.log_format,  # the action server reads it from the env
        # Rasa's lock tickets of a worker that died expire after this (default 60 s): the
        # conversations it held move to another worker within seconds. The gateway's own
        # lock already keeps one turn per conversation at a time.
        "TICKET_LOCK_LIFETIME": "10",
    }


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names if it does not exist (connecting to
    the server's ``postgres`` database to do so); nothing for other databases.

    Raises:
        ProductionUnavailable: the server cannot be reached.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    admin = make_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            )
            if not exists:
                quoted = parsed.database.replace('"', '""')
                connection.execute(text(f'CREATE DATABASE "{quoted}"'))
    except Exception as exc:  # noqa: BLE001 - said plainly, with where
        raise ProductionUnavailable(f"PostgreSQL at {safe_url(parsed)}: {exc}") from exc
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database ``url`` names, closing its other sessions first (a
    test's or a bench's own databases); nothing for other databases."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    admin = make_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    quoted = parsed.database.replace('"', '""')
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": parsed.database},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{quoted}"'))
    finally:
        admin.dispose()


def check_redis(url: str) -> None:
    """Raise :class:`ProductionUnavailable` unless Redis at ``url`` answers PING."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        where = urlsplit(url)
        raise ProductionUnavailable(f"Redis at {where.hostname}:{where.port}: {exc}") from exc
    finally:
        client.close()


def prepare_production(settings: Settings) -> None:
    """Make the platform's and Rasa's databases exist and check Redis answers."""
    ensure_database(settings.database_url)
    ensure_database(settings.rasa_tracker_url)
    check_redis(settings.redis_url)


def main() -> int:
    """``python -m bot.production``: under PROFILE=production, make the databases exist and
    check Redis (``make db`` runs it first); nothing under the embedded profile."""
    from bot.config import get_settings

    settings = get_settings()
    if settings.profile != "production":
        return 0
    try:
        prepare_production(settings)
    except ProductionUnavailable as exc:
        print(f"PROFILE=production: {exc}")
        return 1
    print(f"PROFILE=production: databases ready ({safe_url(settings.database_url)}), Redis answers")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
