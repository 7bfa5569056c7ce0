"""Stacks of their own for the end-to-end tests and the benchmarks: free ports, a fresh
copy of the demo data, and under the production profile databases of their own on this
machine's PostgreSQL — so they never touch ``make run``'s data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import PRODUCTION_DEFAULTS
from bot.launcher import Stack
from bot.ports import Ports
from bot.production import drop_database


def isolated_stack(
    workdir: Path,
    rasa_token: str,
    *,
    production: bool = False,
    rasa_workers: int = 1,
    action_workers: int = 1,
) -> Stack:
    """A stack on free ports with its own demo database and tracker store under ``workdir``.

    The end-to-end tests and the benchmarks use it, so they never touch ``make run``'s data.
    ``production``: the production profile on databases of its own on this machine's
    PostgreSQL (named after ``workdir``; :func:`drop_isolated_databases` removes them),
    Redis, ``rasa_workers`` Rasa workers and ``action_workers`` action servers.
    """
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'platform.db'}",
        "RASA_TRACKER_DB": str(workdir / "rasa-tracker.db"),
        "DEMO_MODE": "true",
    }
    ports = Ports.free()
    if production:
        env.update(production_databases(workdir))
        env["PROFILE"] = "production"
        ports = Ports.free(rasa_workers=rasa_workers, action_workers=action_workers)
    stack = Stack(ports, rasa_token, workdir / "log", env=env)
    stack.load_demo()
    return stack


def production_databases(workdir: Path) -> dict[str, str]:
    """DATABASE_URL and RASA_TRACKER_URL of databases only this ``workdir``'s stack uses."""
    base = make_url(str(PRODUCTION_DEFAULTS["database_url"]))
    tag = "ma_" + hashlib.sha1(str(workdir).encode()).hexdigest()[:12]
    return {
        "DATABASE_URL": base.set(database=tag).render_as_string(hide_password=False),
        "RASA_TRACKER_URL": base.set(database=f"{tag}_tracker").render_as_string(
            hide_password=False
        ),
    }


def drop_isolated_databases(workdir: Path) -> None:
    """Drop the databases :func:`production_databases` named for ``workdir`` (if any)."""
    for url in production_databases(workdir).values():
        drop_database(url)
