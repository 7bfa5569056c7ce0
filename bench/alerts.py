"""Alerts benchmark: 1,000 disconnections across 200 organizations, N dispatchers.

Builds its own database (a temporary SQLite file, or ``TEST_POSTGRES_URL`` in a fresh
schema) with the demo data plus 200 organizations (two users each — one wanting SMS and
e-mail in English, one e-mail in French — one location with a POS device, five brands
and five provider accounts), breaks every one of their 1,000 links through the
platform's ``link_health.mark_disconnected``, then runs N dispatchers (threads) against
the local Twilio and SMTP stand-ins. Prints the seconds until every alert is handed
over, alerts per second, and duplicates (by Message-ID for e-mail, by recipient and text
for SMS; must be 0). Nothing here asserts a time.

Usage: .venv/bin/python bench/alerts.py [--dispatchers 4] [--orgs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.devtools.alert_stand_ins import (  # noqa: E402
    break_links,
    running_stand_ins,
    stand_in_settings,
)
from bot.notify.dispatcher import Dispatcher  # noqa: E402
from bot.platform.db import make_engine, session_factory  # noqa: E402
from bot.platform.demo import load_demo  # noqa: E402
from bot.platform.models import (  # noqa: E402
    AlertOutbox,
    Brand,
    Location,
    Organization,
    ProviderAccount,
    Store,
    StoreLink,
    User,
    utcnow,
)

ACCOUNT_SID = "AC" + "1" * 32
PROVIDERS = ("uber_eats", "doordash", "grubhub", "just_eat", "deliveroo")


def database_url(workdir: Path) -> tuple[str, str | None]:
    """A fresh database: a schema of ``TEST_POSTGRES_URL`` (and its name), else SQLite."""
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        return f"sqlite:///{workdir / 'alerts-bench.db'}", None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with create_engine(base).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str | None) -> None:
    """Drop the bench's PostgreSQL schema (nothing to do on SQLite)."""
    if schema:
        with create_engine(os.environ["TEST_POSTGRES_URL"]).begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def build_organizations(url: str, orgs: int) -> None:
    """Add ``orgs`` organizations, each with five working links at one location."""
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        for n in range(orgs):
            org = Organization(name=f"Bench Org {n}")
            session.add(org)
            session.flush()
            session.add_all(
                [
                    User(
                        organization_id=org.id,
                        name=f"Owner {n}",
                        email=f"owner{n}@bench.test",
                        phone=f"+1666{n:07d}",
                        phone_verified=True,
                        language="en",
                        can_manage_integrations=True,
                        alert_sms=True,
                        alert_email=True,
                    ),
                    User(
                        organization_id=org.id,
                        name=f"Manager {n}",
                        email=f"manager{n}@bench.test",
                        language="fr",
                        alert_email=True,
                    ),
                ]
            )
            location = Location(
                organization_id=org.id,
                name=f"Site {n}",
                timezone="America/New_York",
                has_pos_device=True,
            )
            session.add(location)
            session.flush()
            for key in PROVIDERS:
                brand = Brand(organization_id=org.id, name=f"Brand {key} {n}")
                session.add(brand)
                session.flush()
                store = Store(location_id=location.id, brand_id=brand.id)
                account = ProviderAccount(
                    id=f"b{n}-{key}",
                    organization_id=org.id,
                    provider_key=key,
                    label=f"{key} {n}",
                    login=f"{key}{n}@bench.test",
                )
                session.add_all([store, account])
                session.flush()
                session.add(
                    StoreLink(
                        account_id=account.id,
                        store_id=store.id,
                        state="active",
                        passed_qa=True,
                        activated=True,
                    )
                )
        session.commit()


def break_all(url: str, settings: Settings) -> int:
    """Break every bench link through ``link_health``; how many incidents opened."""
    sessions = session_factory(make_engine(url))
    return break_links(sessions, settings, StoreLink.account_id.like("b%-%"))


def run_dispatchers(url: str, settings: Settings, count: int) -> None:
    """``count`` dispatchers, each in its own thread, until the outbox holds nothing due."""
    later = utcnow() + timedelta(hours=1)  # past damping and the digest window

    def work(name: str) -> None:
        dispatcher = Dispatcher(
            session_factory(make_engine(url)), settings, worker=name, clock=lambda: later
        )
        while asyncio.run(dispatcher.run_once()):
            pass

    threads = [threading.Thread(target=work, args=(f"bench-{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    """Build, break, dispatch, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dispatchers", type=int, default=4)
    parser.add_argument("--orgs", type=int, default=200)
    args = parser.parse_args()
    with running_stand_ins(ACCOUNT_SID) as (twilio, smtp), tempfile.TemporaryDirectory() as tmp:
        url, schema = database_url(Path(tmp))
        settings = Settings(
            _env_file=None,
            database_url=url,
            **stand_in_settings(twilio, smtp, auth_token="bench"),
            alert_batch=50,
            sms_rate_per_minute=1_000_000,
            dashboard_url="https://dashboard.bench.test",
            # signs the unsubscribe links (HS256 wants 32 bytes or more)
            identity_secret=SecretStr("bench-identity-secret-of-at-least-32-bytes"),
        )
        load_demo(url)
        build_organizations(url, args.orgs)
        incidents = break_all(url, settings)
        with session_factory(make_engine(url))() as session:
            rows = session.scalar(select(func.count()).select_from(AlertOutbox)) or 0
        started = time.perf_counter()
        run_dispatchers(url, settings, args.dispatchers)
        seconds = time.perf_counter() - started
        with session_factory(make_engine(url))() as session:
            by_state = dict(
                session.execute(
                    select(AlertOutbox.state, func.count()).group_by(AlertOutbox.state)
                ).all()
            )
        drop_schema(schema)
        ids = Counter(str(m["Message-ID"]) for m in smtp.messages())
        sms = Counter((m["to"], m["body"]) for m in twilio.messages())
    duplicates = sum(c - 1 for c in ids.values()) + sum(c - 1 for c in sms.values())
    handed = sum(ids.values()) + sum(sms.values())
    print(f"incidents opened:      {incidents}")
    print(f"outbox rows:           {rows}  ({by_state})")
    print(f"handed over:           {handed}  (SMS {sum(sms.values())}, e-mail {sum(ids.values())})")
    print(f"dispatchers:           {args.dispatchers}")
    print(f"seconds until handed:  {seconds:.2f}")
    print(f"alerts per second:     {rows / seconds:.1f}" if seconds else "")
    print(f"duplicates:            {duplicates}")


if __name__ == "__main__":
    main()
