"""When an alert may go out: quiet hours, SMS opt-outs, SMS rate limits, backoff."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import AlertOutbox, Location, SmsOptOut, User


def quiet_until(session: Session, user: User, now: datetime) -> datetime | None:
    """The end of ``user``'s quiet hours when ``now`` falls in them, else ``None``.

    Quiet hours are local "HH:MM" in the organization's first location's time zone.
    """
    if not user.quiet_start or not user.quiet_end or user.quiet_start == user.quiet_end:
        return None
    zone_name = session.scalar(
        select(Location.timezone)
        .where(Location.organization_id == user.organization_id)
        .order_by(Location.id)
        .limit(1)
    )
    zone = ZoneInfo(zone_name or "UTC")
    local = now.astimezone(zone)
    start, end = time.fromisoformat(user.quiet_start), time.fromisoformat(user.quiet_end)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
    else:  # over midnight
        inside = clock >= start or clock < end
    if not inside:
        return None
    end_at = datetime.combine(local.date(), end, tzinfo=zone)
    if end_at <= local:
        end_at = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return end_at.astimezone(now.tzinfo)


def opted_out(session: Session, phone: str) -> bool:
    """Whether ``phone`` sent STOP (and no START since)."""
    return bool(
        session.scalar(select(SmsOptOut.opted_out).where(SmsOptOut.phone == phone).limit(1))
    )


def sms_rate_wait(
    session: Session, settings: Settings, row: AlertOutbox, worker: str, now: datetime
) -> datetime | None:
    """When an SMS to ``phone`` may go out if a rate limit holds it now, else ``None``.

    Counted from outbox SMS rows sent (or being sent by another dispatcher): at most
    ``SMS_RATE_PER_NUMBER_PER_HOUR`` to one number and ``SMS_RATE_PER_MINUTE`` overall.
    """
    hour, minute = now - timedelta(hours=1), now - timedelta(minutes=1)
    base = select(func.count(), func.min(AlertOutbox.sent_at)).where(
        AlertOutbox.channel == "sms", AlertOutbox.id != row.id
    )
    sent_to = session.execute(
        base.where(
            AlertOutbox.address == row.address,
            AlertOutbox.state == "sent",
            AlertOutbox.sent_at > hour,
        )
    ).one()
    if sent_to[0] >= settings.sms_rate_per_number_per_hour:
        return (sent_to[1] or now) + timedelta(hours=1)
    overall = session.scalar(
        select(func.count()).where(
            AlertOutbox.channel == "sms",
            AlertOutbox.id != row.id,
            ((AlertOutbox.state == "sent") & (AlertOutbox.sent_at > minute))
            | (
                (AlertOutbox.state == "sending")
                & (AlertOutbox.claimed_at > minute)
                & (AlertOutbox.claimed_by != worker)
            ),
        )
    )
    if (overall or 0) >= settings.sms_rate_per_minute:
        return now + timedelta(seconds=60)
    return None


def backoff(settings: Settings, attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the ``attempts``-th failure: capped exponential with 0.5–1.0 jitter."""
    raw = min(
        settings.alert_backoff_cap_seconds,
        settings.alert_backoff_base_seconds * 2 ** max(0, attempts - 1),
    )
    return timedelta(seconds=raw * (rng or random).uniform(0.5, 1.0))
