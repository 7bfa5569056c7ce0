"""Incidents and the alert outbox: what a link going down queues, and what a flap cancels.

Called by :mod:`bot.platform.services.link_health` inside the caller's transaction, so an
incident and its outbox rows are committed (or rolled back) together. The rules are
``docs/alerts-contract.md``'s: SMS to each user with ``alert_sms`` and a verified phone,
an e-mail to each user with ``alert_email`` (gathered into one row per recipient within
the digest window), a POS ticket for a location with a POS device.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import (
    AlertItem,
    AlertOutbox,
    Incident,
    Location,
    StoreLink,
    User,
)
from bot.platform.models.alerts import LIVE_INCIDENT_STATES


def live_incident(session: Session, link_id: int) -> Incident | None:
    """The link's ``pending`` or ``open`` incident, if any."""
    return session.scalars(
        select(Incident).where(
            Incident.link_id == link_id, Incident.state.in_(LIVE_INCIDENT_STATES)
        )
    ).first()


def open_incident(session: Session, link: StoreLink, now: datetime, settings: Settings) -> Incident:
    """Record that ``link`` went down at ``now`` and queue its alerts (not committed).

    Args:
        session: The caller's session; the link has just become ``disconnected``.
        link: The link.
        now: When it went down.
        settings: Damping and digest windows.

    Returns:
        The new ``pending`` incident (``alert_at`` = ``now`` + damping).
    """
    account = link.account
    incident = Incident(
        organization_id=account.organization_id,
        link_id=link.id,
        provider=account.provider_key,
        error_type=link.error_type or "",
        error_case=link.error_case,
        state="pending",
        opened_at=now,
        alert_at=now + timedelta(seconds=settings.alert_damping_seconds),
    )
    session.add(incident)
    session.flush()
    digest = timedelta(seconds=settings.alert_digest_seconds)
    users = session.scalars(
        select(User).where(User.organization_id == incident.organization_id).order_by(User.id)
    ).all()
    for user in users:
        if user.alert_sms and user.phone and user.phone_verified:
            _new_row(session, incident, "sms", user.phone, user.language, user=user)
        if user.alert_email:
            _queue_email(session, incident, user, digest)
    location = link.store.location
    if location.has_pos_device:
        language = _organization_language(users)
        _new_row(session, incident, "pos", location.name, language, location=location)
    session.flush()
    return incident


def end_incident(session: Session, incident: Incident, now: datetime) -> None:
    """The link came back: a flap before ``alert_at`` cancels what is not sent yet.

    Before ``alert_at`` the incident becomes ``flapped``, its items in rows not sent yet
    are cancelled, and a row whose every item is cancelled is ``cancelled``. Later it is
    ``resolved`` (no "fixed" alert in this increment). Not committed here.
    """
    incident.resolved_at = now
    if incident.state != "pending" or now >= incident.alert_at:
        incident.state = "resolved"
        session.flush()
        return
    incident.state = "flapped"
    rows = session.scalars(
        select(AlertOutbox)
        .join(AlertItem, AlertItem.outbox_id == AlertOutbox.id)
        .where(AlertItem.incident_id == incident.id, AlertOutbox.state == "pending")
        .order_by(AlertOutbox.id)
        .with_for_update(of=AlertOutbox)
    ).all()
    for row in rows:
        for item in row.items:
            if item.incident_id == incident.id and item.cancelled_at is None:
                item.cancelled_at = now
        if all(item.cancelled_at is not None for item in row.items):
            row.state = "cancelled"
    session.flush()


def open_due_incidents(session: Session, now: datetime) -> int:
    """Turn ``pending`` incidents whose ``alert_at`` has passed into ``open`` ones.

    Returns:
        How many changed (not committed here).
    """
    result = session.execute(
        update(Incident)
        .where(Incident.state == "pending", Incident.alert_at <= now)
        .values(state="open")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _queue_email(session: Session, incident: Incident, user: User, digest: timedelta) -> None:
    """Add the incident to the user's e-mail row of the digest window, or start a row."""
    row = session.scalars(
        select(AlertOutbox)
        .where(
            AlertOutbox.channel == "email",
            AlertOutbox.user_id == user.id,
            AlertOutbox.state == "pending",
            AlertOutbox.attempts == 0,
            AlertOutbox.created_at > incident.opened_at - digest,
        )
        .order_by(AlertOutbox.id)
        .limit(1)
        .with_for_update()
    ).first()
    if row is None:
        _new_row(
            session,
            incident,
            "email",
            user.email,
            user.language,
            user=user,
            due_at=max(incident.alert_at, incident.opened_at + digest),
        )
        return
    row.due_at = max(row.due_at, incident.alert_at)
    row.items.append(_item(incident, "email", f"user:{user.id}"))


def _new_row(
    session: Session,
    incident: Incident,
    channel: str,
    address: str,
    language: str,
    *,
    user: User | None = None,
    location: Location | None = None,
    due_at: datetime | None = None,
) -> AlertOutbox:
    if user is not None:
        recipient = f"user:{user.id}"
    elif location is not None:
        recipient = f"location:{location.id}"
    else:
        raise ValueError("an alert goes to a user or a location")
    row = AlertOutbox(
        organization_id=incident.organization_id,
        channel=channel,
        user_id=user.id if user is not None else None,
        location_id=location.id if location is not None else None,
        address=address,
        language=language,
        state="pending",
        due_at=due_at or incident.alert_at,
        attempts=0,
        message_key=uuid.uuid4().hex,
        created_at=incident.opened_at,
    )
    row.items.append(_item(incident, channel, recipient))
    session.add(row)
    return row


def _item(incident: Incident, channel: str, recipient_key: str) -> AlertItem:
    return AlertItem(incident_id=incident.id, channel=channel, recipient_key=recipient_key)


def _organization_language(users: Sequence[User]) -> str:
    """The language of a POS ticket: the organization's first integration manager's."""
    managers = [user for user in users if user.can_manage_integrations]
    chosen = managers or list(users)
    return chosen[0].language if chosen else "en"
