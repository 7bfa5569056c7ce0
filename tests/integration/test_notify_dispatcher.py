"""The alert dispatcher on the demo data, against local Twilio and SMTP stand-ins.

Links break through the platform's ``link_health.mark_disconnected``; time is passed in
(``now``) and each pass is an explicit ``run_once``. Olivia wants SMS and e-mail (en),
Marc e-mail (fr), Sofia nothing; Downtown has a POS device; Hank is another organization.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.devtools.alert_stand_ins import break_links, running_stand_ins, stand_in_settings, store_at
from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.notify.claims import claim
from bot.notify.dispatcher import Dispatcher
from bot.platform.db import make_engine, session_factory
from bot.platform.models import (
    AlertOutbox,
    Location,
    PosTicket,
    SmsOptOut,
    StoreLink,
    User,
    utcnow,
)
from tests.integration.conftest import make_settings

ACCOUNT_SID = "AC" + "0" * 32
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York
LATER = T0 + timedelta(minutes=10)  # past damping and the digest window
JUST_EAT = ("je-main", "Downtown", "Burger Barn")
GRUBHUB = ("gh-main", "Airport", "Burger Barn")
OLIVIA, MARC = "olivia@demo-kitchen.test", "marc@demo-kitchen.test"
OLIVIA_PHONE = "+15550000001"


def dispatcher(sessions: sessionmaker[Session], settings: Settings, name: str = "d1") -> Dispatcher:
    """A dispatcher named ``name``."""
    return Dispatcher(sessions, settings, worker=name)


def break_link(sessions, settings, place, at: datetime = T0) -> None:
    """Disconnect (account, location, brand) with invalid credentials at ``at``."""
    account_id, location, brand = place
    where = (StoreLink.account_id == account_id, store_at(location, brand))
    break_links(sessions, settings, *where, at=at)


@dataclass(frozen=True)
class Alerts:
    """A demo database, settings sending to the stand-ins, and the stand-ins themselves."""

    url: str
    sessions: sessionmaker[Session]
    settings: Settings
    twilio: FakeTwilioServer
    smtp: FakeSmtpServer

    def with_settings(self, **values: object) -> Alerts:
        """The same, with only the stand-ins' settings and ``values`` (no test defaults)."""
        settings = make_settings(self.url, **stand_in_settings(self.twilio, self.smtp), **values)
        return replace(self, settings=settings)

    def dispatcher(self, name: str = "d1") -> Dispatcher:
        """A dispatcher named ``name``."""
        return dispatcher(self.sessions, self.settings, name)

    def run(self, now: datetime = LATER, name: str = "d1") -> int:
        """One pass of a new dispatcher named ``name`` at ``now``."""
        return asyncio.run(self.dispatcher(name).run_once(now))

    def break_link(self, place: tuple[str, str, str], at: datetime = T0) -> None:
        """Disconnect (account, location, brand) with invalid credentials at ``at``."""
        break_link(self.sessions, self.settings, place, at)

    def states(self) -> dict[tuple[str, str], str]:
        """(channel, address) → state of every outbox row."""
        with self.sessions() as session:
            rows = session.scalars(select(AlertOutbox))
            return {(r.channel, r.address): r.state for r in rows}


@pytest.fixture
def servers() -> Iterator[tuple[FakeTwilioServer, FakeSmtpServer]]:
    """A Twilio stand-in and an SMTP stand-in, both running."""
    with running_stand_ins(ACCOUNT_SID) as both:
        yield both


@pytest.fixture
def alert_settings(demo_db_url, servers) -> Settings:
    """Short retries, the stand-ins as Twilio and SMTP, a fixed dashboard URL."""
    return make_settings(
        demo_db_url,
        **stand_in_settings(*servers),
        alert_backoff_base_seconds=0,
        alert_max_attempts=3,
        dashboard_url="https://dash.example.test",
    )


@pytest.fixture
def alerts(demo_db_url, sessions, alert_settings, servers) -> Alerts:
    """:class:`Alerts` on this test's demo database (with ``alert_settings``)."""
    return Alerts(demo_db_url, sessions, alert_settings, *servers)


def test_one_break_sends_one_alert_per_recipient_and_channel(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    alerts.break_link(JUST_EAT)
    assert alerts.run(T0) == 0  # damping: nothing due yet
    alerts.run()
    [sms] = twilio.messages()
    assert sms["to"] == OLIVIA_PHONE
    assert "Just Eat" in sms["body"] and "Downtown / Burger Barn" in sms["body"]
    assert "https://dash.example.test/?repair=je-main" in sms["body"]
    assert "reply FIX" in sms["body"]
    mails = {m["To"]: m for m in smtp.messages()}
    assert sorted(mails) == [MARC, OLIVIA]  # nothing for Sofia, nothing for Hank
    assert (
        "Just Eat" in mails[OLIVIA]["Subject"]
        and "Downtown / Burger Barn" in mails[OLIVIA]["Subject"]
    )
    assert "est déconnecté" in mails[MARC]["Subject"]
    assert (
        str(mails[OLIVIA]["List-Unsubscribe"])
        .strip()
        .startswith("<https://dash.example.test/alerts/unsubscribe?t=")
    )
    assert mails[OLIVIA]["Message-ID"].startswith("<alert-")
    with alerts.sessions() as session:
        [ticket] = session.scalars(select(PosTicket)).all()
        assert session.get(Location, ticket.location_id).name == "Downtown"
        assert "Just Eat" in ticket.body and all(len(x) <= 42 for x in ticket.body.splitlines())
    assert set(alerts.states().values()) == {"sent"}
    alerts.run(LATER + timedelta(hours=1), "d2")
    assert len(twilio.messages()) == 1 and len(smtp.messages()) == 2  # never twice


def test_two_stores_within_the_window_make_one_multi_store_email(alerts):
    smtp = alerts.smtp
    alerts.break_link(JUST_EAT)
    alerts.break_link(GRUBHUB, T0 + timedelta(seconds=30))
    alerts.run()
    mails = {m["To"]: m for m in smtp.messages()}
    assert sorted(mails) == [MARC, OLIVIA]
    body = mails[OLIVIA].get_body(("plain",)).get_content()
    assert "2 stores are disconnected" in body
    assert "Downtown / Burger Barn" in body and "Airport / Burger Barn" in body
    assert "2 magasins" in mails[MARC]["Subject"]


def test_smtp_down_then_up_delivers_once_after_a_retry(alerts):
    smtp = alerts.smtp
    alerts.break_link(JUST_EAT)
    smtp.down()
    alerts.run()
    assert smtp.messages() == []
    assert alerts.states()[("email", OLIVIA)] == "pending"
    smtp.up()
    alerts.run(LATER + timedelta(seconds=1))
    assert sorted(m["To"] for m in smtp.messages()) == [MARC, OLIVIA]
    with alerts.sessions() as session:
        row = session.scalars(select(AlertOutbox).where(AlertOutbox.address == OLIVIA)).one()
        assert (row.state, row.attempts) == ("sent", 1)


def test_a_row_is_parked_after_the_last_try_and_reported(alerts, caplog):
    smtp = alerts.smtp
    alerts.break_link(JUST_EAT)
    smtp.down()
    with caplog.at_level(logging.ERROR, logger="bot.notify.dispatcher"):
        for tick in range(alerts.settings.alert_max_attempts):
            alerts.run(LATER + timedelta(seconds=tick))
    assert alerts.states()[("email", OLIVIA)] == "parked"
    assert any("parked" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    smtp.up()
    alerts.run(LATER + timedelta(hours=1))
    assert smtp.messages() == []


def test_a_killed_dispatcher_repeats_at_most_its_one_message(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    alerts.break_link(JUST_EAT)
    alerts.run(T0 + timedelta(seconds=200))  # SMS + POS
    assert len(twilio.messages()) == 1
    killed = alerts.dispatcher("killed")
    with alerts.sessions() as session:
        [row_id] = claim(session, "killed", LATER, 1)  # it claimed one e-mail ...
    prepared = killed._prepare(row_id, LATER)
    assert prepared is not None
    asyncio.run(prepared())  # ... handed it to SMTP, and died before recording it
    [handed] = [m["Message-ID"] for m in smtp.messages()]
    alerts.run(LATER + timedelta(minutes=1), "d2")
    assert len(smtp.messages()) == 2  # the other e-mail; the claimed one waits its timeout
    alerts.run(LATER + timedelta(minutes=6), "d2")
    ids = [m["Message-ID"] for m in smtp.messages()]
    assert len(ids) == 3 and ids.count(handed) == 2 and len(set(ids)) == 2
    assert set(alerts.states().values()) == {"sent"}  # nothing lost
    assert len(twilio.messages()) == 1  # nothing else repeated


def test_quiet_hours_hold_sms_and_email_but_not_the_pos_ticket(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    with alerts.sessions() as session:
        session.execute(
            update(User)
            .where(User.email.in_([OLIVIA, MARC]))
            .values(quiet_start="09:00", quiet_end="11:00")
        )
        session.commit()
    alerts.break_link(JUST_EAT)
    alerts.run()  # 10:10 in New York
    assert twilio.messages() == [] and smtp.messages() == []
    assert alerts.states()[("pos", "Downtown")] == "sent"
    alerts.run(T0 + timedelta(hours=1, minutes=1))  # 11:01
    assert len(twilio.messages()) == 1 and len(smtp.messages()) == 2


def test_an_opted_out_number_gets_no_sms(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    with alerts.sessions() as session:
        session.add(SmsOptOut(phone=OLIVIA_PHONE, opted_out=True))
        session.commit()
    alerts.break_link(JUST_EAT)
    alerts.run()
    assert twilio.messages() == []
    assert alerts.states()[("sms", OLIVIA_PHONE)] == "cancelled"
    assert len(smtp.messages()) == 2


def test_sms_rate_limit_postpones_rather_than_drops(alerts):
    twilio = alerts.twilio
    alerts = alerts.with_settings(sms_rate_per_number_per_hour=1)
    alerts.break_link(JUST_EAT)
    alerts.break_link(GRUBHUB)
    alerts.run()
    assert len(twilio.messages(OLIVIA_PHONE)) == 1
    alerts.run(LATER + timedelta(minutes=30))
    assert len(twilio.messages(OLIVIA_PHONE)) == 1
    alerts.run(LATER + timedelta(hours=1, minutes=1))
    assert len(twilio.messages(OLIVIA_PHONE)) == 2  # postponed, then sent


def test_hank_gets_nothing_of_demo_kitchen_group(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    alerts.break_link(JUST_EAT)
    alerts.break_link(GRUBHUB)
    alerts.run()
    assert twilio.messages("+15550000009") == []
    assert all("harbor" not in str(m["To"]) for m in smtp.messages())


@pytest.mark.postgres
def test_two_dispatchers_at_once_never_send_twice(postgres_url, servers):
    from bot.platform.demo import load_demo

    load_demo(postgres_url)
    engine = make_engine(postgres_url)
    try:
        settings = make_settings(postgres_url, **stand_in_settings(*servers), alert_batch=1)
        alerts = Alerts(postgres_url, session_factory(engine), settings, *servers)
        twilio, smtp = alerts.twilio, alerts.smtp
        alerts.break_link(JUST_EAT)
        alerts.break_link(GRUBHUB)

        async def both() -> None:
            a, b = alerts.dispatcher("a"), alerts.dispatcher("b")
            for _ in range(6):
                await asyncio.gather(a.run_once(LATER), b.run_once(LATER))

        asyncio.run(both())
        ids = [m["Message-ID"] for m in smtp.messages()]
        assert len(ids) == len(set(ids)) == 2
        bodies = [m["body"] for m in twilio.messages()]
        assert len(bodies) == len(set(bodies)) == 2
        assert set(alerts.states().values()) == {"sent"}
    finally:
        engine.dispose()


async def test_the_loop_sends_what_falls_due_until_stopped(alerts):
    twilio, smtp = alerts.twilio, alerts.smtp
    alerts = alerts.with_settings(
        alert_damping_seconds=0, alert_digest_seconds=0, alert_poll_seconds=0.05
    )
    loop = Dispatcher(alerts.sessions, alerts.settings, worker="loop")
    loop.start()
    try:
        await asyncio.to_thread(alerts.break_link, JUST_EAT, utcnow())
        mails = await asyncio.to_thread(smtp.wait_for, 2, 30)
        await asyncio.to_thread(twilio.wait_for_messages, OLIVIA_PHONE, 1, 30)
    finally:
        await loop.stop()
    assert sorted(str(m["To"]) for m in mails) == [MARC, OLIVIA]
