"""Support hours: whether agents work now, and when they next start.

From the settings ``SUPPORT_HOURS`` (local ``"HH:MM-HH:MM"``), ``SUPPORT_TIMEZONE`` and
``SUPPORT_DAYS`` (``"mon,tue,…"``: the days a period starts on). A period that ends at or
before it starts (``22:00-06:00``) runs past midnight into the next day; ``24:00`` is the
end of the day, and equal start and end (``00:00-00:00``) is the whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Settings

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SupportHours:
    """When support works: each listed weekday from ``opens`` for ``length``, local time."""

    opens: time
    length: timedelta
    zone: ZoneInfo
    days: frozenset[int]  # Monday 0 … Sunday 6

    def periods_around(self, moment: datetime) -> list[tuple[datetime, datetime]]:
        """The periods (start, end; aware) that start from the day before ``moment`` on, for
        a week."""
        local_day = moment.astimezone(self.zone).date()
        periods = []
        for offset in range(-1, 8):
            day = local_day + timedelta(days=offset)
            if day.weekday() in self.days:
                start = _local(day, self.opens, self.zone)
                periods.append((start, start + self.length))
        return periods

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` (aware) falls in a support period."""
        return any(start <= now < end for start, end in self.periods_around(now))

    def next_open_at(self, now: datetime) -> datetime | None:
        """When the next period starts (aware, in the support time zone); ``None`` when
        support is open at ``now`` or works on no day."""
        if self.is_open(now):
            return None
        starts = [start for start, _end in self.periods_around(now) if start > now]
        return min(starts) if starts else None


def support_hours(settings: Settings) -> SupportHours:
    """The support hours the settings describe.

    Raises:
        ValueError: A malformed ``SUPPORT_HOURS``, unknown ``SUPPORT_TIMEZONE``, or a day
            of ``SUPPORT_DAYS`` that is not ``mon`` … ``sun``.
    """
    opens_text, _, closes_text = settings.support_hours.strip().partition("-")
    opens, closes = _minutes(opens_text), _minutes(closes_text)
    if opens >= 24 * 60:
        raise ValueError(f"SUPPORT_HOURS starts at 24:00: {settings.support_hours!r}")
    length = (closes - opens) % (24 * 60) or 24 * 60
    try:
        zone = ZoneInfo(settings.support_timezone.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown SUPPORT_TIMEZONE {settings.support_timezone!r}") from exc
    days = set()
    for name in settings.support_days.split(","):
        name = name.strip().lower()[:3]
        if not name:
            continue
        if name not in DAY_NAMES:
            raise ValueError(f"unknown day in SUPPORT_DAYS: {name!r}")
        days.add(DAY_NAMES.index(name))
    return SupportHours(
        opens=time(opens // 60, opens % 60),
        length=timedelta(minutes=length),
        zone=zone,
        days=frozenset(days),
    )


def _minutes(text: str) -> int:
    """Minutes since midnight of ``"HH:MM"`` (``24:00`` allowed)."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a HH:MM time: {text!r}")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise ValueError(f"not a HH:MM time: {text!r}")
    return value


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone`` (a time skipped by a clock change moves forward)."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    # Round-trip through UTC: a time that does not exist (spring forward) normalizes.
    return aware.astimezone(timezone.utc).astimezone(zone)
