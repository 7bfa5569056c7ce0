"""Alembic environment for the platform database (run through ``bot.platform.db.upgrade``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.platform.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our column types as plain SQLAlchemy types, so revisions never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata, compare_type=True, render_item=_render_item, **kwargs
    )


def run_migrations_offline() -> None:
    """Emit the migrations as SQL without connecting."""
    url = config.get_main_option("sqlalchemy.url")
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=bool(url and url.startswith("sqlite")),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the connection ``upgrade`` passes, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    from bot.platform.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "", foreign_keys=False)
    try:
        with engine.begin() as new_connection:
            _run_on(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
