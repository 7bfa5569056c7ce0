"""Alembic migrations of the platform database (run with ``bot.platform.db.upgrade``)."""
