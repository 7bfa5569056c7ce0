"""The incident behind the most recent alert a user received (the FIX reply's question).

Only alerts actually sent to that user count (items of outbox rows in state ``sent``,
not cancelled), within :data:`LOOKBACK`, newest ``sent_at`` first; the asked channel is
preferred, any other channel comes next. Only incidents of the user's own organization
are ever returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot.platform.models import AlertItem, AlertOutbox, Incident, User, utcnow
from bot.platform.providers.catalog import get_catalog
from bot.platform.services.errors import ServiceError

LOOKBACK = timedelta(days=7)
USER_CHANNELS: tuple[str, ...] = ("sms", "email")


class NoAlert(ServiceError):
    """No alert was sent to the user (on any channel) within :data:`LOOKBACK`."""

    code = "no_alert"


@dataclass(frozen=True)
class LatestAlert:
    """The incident of a user's most recent alert.

    Attributes:
        incident_id: The incident's id.
        state: ``pending``, ``open``, ``flapped`` or ``resolved`` (a ``pending`` incident
            past its ``alert_at`` is reported ``open``).
        provider: The provider's display name (e.g. "Just Eat").
        account_id: The provider account of the broken store link (e.g. "je-main").
        account_label: That account's label (e.g. "Just Eat — main").
        location: The store's location.
        brand: The store's brand.
        error_type: Why the link disconnected.
        error_case: The store-configuration case, if any.
        opened_at: When the link disconnected (UTC).
        channel: The channel the alert was sent on (``sms`` or ``email``).
    """

    incident_id: int
    state: str
    provider: str
    account_id: str
    account_label: str
    location: str
    brand: str
    error_type: str
    error_case: str | None
    opened_at: datetime
    channel: str


def latest_alert(
    session: Session, user: User, channel: str | None = None, now: datetime | None = None
) -> LatestAlert:
    """The incident of the most recent alert sent to ``user``.

    Args:
        session: An open session.
        user: The caller.
        channel: ``sms`` or ``email``: alerts of that channel come first; None: any.
        now: The current time (UTC); now by default.

    Raises:
        NoAlert: None was sent to the user within :data:`LOOKBACK`.
    """
    now = now or utcnow()
    statement = (
        select(AlertItem.incident_id, AlertOutbox.channel)
        .join(AlertOutbox, AlertOutbox.id == AlertItem.outbox_id)
        .join(Incident, Incident.id == AlertItem.incident_id)
        .where(
            AlertOutbox.user_id == user.id,
            AlertOutbox.organization_id == user.organization_id,
            Incident.organization_id == user.organization_id,
            AlertOutbox.state == "sent",
            AlertOutbox.sent_at.is_not(None),
            AlertOutbox.sent_at >= now - LOOKBACK,
            AlertOutbox.channel.in_(USER_CHANNELS),
            AlertItem.cancelled_at.is_(None),
        )
    )
    order = [AlertOutbox.sent_at.desc(), AlertOutbox.id.desc(), AlertItem.id.desc()]
    if channel is not None:
        order.insert(0, case((AlertOutbox.channel == channel, 0), else_=1))
    found = session.execute(statement.order_by(*order).limit(1)).first()
    if found is None:
        raise NoAlert(channel)
    incident = session.get(Incident, found.incident_id)
    assert incident is not None  # the join found it
    return _describe(incident, found.channel, now)


def _describe(incident: Incident, channel: str, now: datetime) -> LatestAlert:
    link = incident.link
    account, store = link.account, link.store
    info = get_catalog().provider(incident.provider)
    state = incident.state
    if state == "pending" and incident.alert_at <= now:
        state = "open"  # damping is over; the dispatcher's next pass records it
    return LatestAlert(
        incident_id=incident.id,
        state=state,
        provider=info.name if info else account.provider.name,
        account_id=account.id,
        account_label=account.label,
        location=store.location.name,
        brand=store.brand.name,
        error_type=incident.error_type,
        error_case=incident.error_case,
        opened_at=incident.opened_at,
        channel=channel,
    )
