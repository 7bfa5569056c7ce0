"""Restoring the demo starts alerts clean: no incident, outbox row or POS ticket survives,
and each user's alert choices are DEMO.md's again (docs/alerts-contract.md)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.platform.demo import restore_demo_state
from bot.platform.models import (
    AlertItem,
    AlertOutbox,
    Incident,
    PosTicket,
    StoreLink,
    User,
)
from bot.platform.services.link_health import mark_disconnected
from tests.integration.conftest import make_settings

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)


def just_eat_downtown(session: Session) -> StoreLink:
    """The demo's working Just Eat link (Downtown / Burger Barn)."""
    [link] = session.scalars(select(StoreLink).where(StoreLink.account_id == "je-main")).all()
    return link


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_reset_drops_queued_alerts_and_restores_alert_choices(sessions, demo_db_url) -> None:
    settings = make_settings(demo_db_url, alert_damping_seconds=120, alert_digest_seconds=300)
    with sessions() as session:
        incident = mark_disconnected(
            session, just_eat_downtown(session), "invalid_credentials", now=T0, settings=settings
        )
        assert incident is not None
        location_id = just_eat_downtown(session).store.location_id
        session.add(PosTicket(location_id=location_id, incident_id=incident.id, body="x"))
        olivia = session.scalars(select(User).where(User.email == "olivia@demo-kitchen.test")).one()
        olivia.alert_sms, olivia.alert_email = False, False
        olivia.quiet_start, olivia.quiet_end = "22:00", "07:00"
        marc = session.scalars(select(User).where(User.email == "marc@demo-kitchen.test")).one()
        marc.alert_sms = True
        session.commit()
        assert count(session, AlertOutbox) >= 3  # Olivia's SMS and e-mail, Marc's e-mail…

    with sessions() as session:
        restore_demo_state(session)

    with sessions() as session:
        for model in (Incident, AlertOutbox, AlertItem, PosTicket):
            assert count(session, model) == 0, model.__name__
        assert just_eat_downtown(session).state == "active"
        choices = {
            user.email: (user.alert_sms, user.alert_email, user.quiet_start, user.quiet_end)
            for user in session.scalars(select(User))
        }
    assert choices["olivia@demo-kitchen.test"] == (True, True, None, None)
    assert choices["marc@demo-kitchen.test"] == (False, True, None, None)
    assert choices["sofia@demo-kitchen.test"] == (False, False, None, None)
    assert choices["hank@harbor-pizza.test"] == (True, False, None, None)
