"""Live alerts against local stand-ins, for the dispatcher's tests and the alerts bench.

Starts the Twilio and SMTP stand-ins, gives the settings that send alerts to them, and
breaks store links the way the platform does (``link_health.mark_disconnected``, so each
break opens its incident and queues its alerts)::

    with running_stand_ins(ACCOUNT_SID) as (twilio, smtp):
        settings = Settings(database_url=url, **stand_in_settings(twilio, smtp))
        break_links(sessions, settings, StoreLink.account_id == "je-main")
        ...                 # run dispatchers; twilio.messages(), smtp.messages()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.platform.models import Brand, Location, Store, StoreLink
from bot.platform.services.link_health import mark_disconnected


@contextmanager
def running_stand_ins(account_sid: str) -> Iterator[tuple[FakeTwilioServer, FakeSmtpServer]]:
    """A Twilio stand-in (for ``account_sid``) and an SMTP stand-in, both running."""
    twilio, smtp = FakeTwilioServer(account_sid), FakeSmtpServer()
    twilio.start()
    smtp.start()
    try:
        yield twilio, smtp
    finally:
        twilio.stop()
        smtp.stop()


def stand_in_settings(
    twilio: FakeTwilioServer, smtp: FakeSmtpServer, auth_token: str = "stand-in"
) -> dict[str, Any]:
    """The settings that send SMS to ``twilio`` and e-mail to ``smtp``.

    The Twilio stand-in accepts any auth token for its account SID.
    """
    return {
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": SecretStr(auth_token),
        "twilio_api_base_url": twilio.url,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
    }


def store_at(location: str, brand: str) -> ColumnElement[bool]:
    """Store links of the store of ``brand`` at ``location`` (both by name)."""
    return StoreLink.store.has(
        and_(Store.location.has(Location.name == location), Store.brand.has(Brand.name == brand))
    )


def break_links(
    sessions: sessionmaker[Session],
    settings: Settings,
    *where: ColumnElement[bool],
    at: datetime | None = None,
) -> int:
    """Disconnect every store link matching ``where`` (in id order) with invalid
    credentials at ``at`` (default: now), and commit.

    Returns:
        How many incidents opened (links already disconnected open none).
    """
    opened = 0
    with sessions() as session:
        links = session.scalars(select(StoreLink).where(*where).order_by(StoreLink.id)).all()
        for link in links:
            if mark_disconnected(session, link, "invalid_credentials", now=at, settings=settings):
                opened += 1
        session.commit()
    return opened
