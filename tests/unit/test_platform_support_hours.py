"""Support hours from the settings: open now or not, and when they next start — across
midnight, days off, and the clock changes of America/New_York."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.platform.services.support_hours import support_hours

NY = ZoneInfo("America/New_York")


def hours(**values: str):
    return support_hours(Settings(_env_file=None, **values))


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


def test_the_demo_hours_every_day_eight_to_ten():
    demo = hours()  # the defaults: 08:00-22:00 America/New_York, every day
    assert demo.is_open(ny(2026, 11, 24, 8, 0))
    assert demo.is_open(ny(2026, 11, 24, 21, 59))
    assert not demo.is_open(ny(2026, 11, 24, 22, 0))
    assert not demo.is_open(ny(2026, 11, 25, 7, 59))
    assert demo.next_open_at(ny(2026, 11, 24, 12, 0)) is None
    assert demo.next_open_at(ny(2026, 11, 24, 23, 30)) == ny(2026, 11, 25, 8, 0)
    assert demo.next_open_at(ny(2026, 11, 25, 3, 0)) == ny(2026, 11, 25, 8, 0)
    # "now" in UTC works the same: 03:30 UTC is 22:30 in New York (EST).
    utc = datetime(2026, 11, 25, 3, 30, tzinfo=timezone.utc)
    assert not demo.is_open(utc)
    assert demo.next_open_at(utc) == ny(2026, 11, 25, 8, 0)


def test_weekdays_only():
    office = hours(support_hours="09:00-17:00", support_days="mon,tue,wed,thu,fri")
    friday_evening = ny(2026, 11, 27, 18, 0)
    assert not office.is_open(friday_evening)
    assert office.next_open_at(friday_evening) == ny(2026, 11, 30, 9, 0)  # Monday
    assert not office.is_open(ny(2026, 11, 28, 10, 0))  # Saturday
    assert office.is_open(ny(2026, 11, 30, 9, 0))


def test_a_night_shift_runs_past_midnight_into_the_next_day():
    night = hours(support_hours="22:00-06:00", support_days="fri")
    assert night.is_open(ny(2026, 11, 27, 23, 0))  # Friday night
    assert night.is_open(ny(2026, 11, 28, 5, 59))  # Saturday morning: still Friday's shift
    assert not night.is_open(ny(2026, 11, 28, 23, 0))  # Saturday night: no shift
    assert night.next_open_at(ny(2026, 11, 28, 7, 0)) == ny(2026, 12, 4, 22, 0)


def test_all_day():
    assert hours(support_hours="00:00-24:00").is_open(ny(2026, 11, 24, 3, 0))
    assert hours(support_hours="00:00-00:00").is_open(ny(2026, 11, 24, 23, 59))


def test_clock_changes_keep_local_hours():
    demo = hours()
    # 8 March 2026 (spring forward) and 1 November 2026 (fall back): still 08:00 local.
    assert demo.next_open_at(ny(2026, 3, 8, 2, 30)) == ny(2026, 3, 8, 8, 0)
    assert demo.next_open_at(ny(2026, 11, 1, 1, 30)).utcoffset().total_seconds() == -5 * 3600
    assert demo.is_open(datetime(2026, 3, 8, 12, 0, tzinfo=timezone.utc))  # 08:00 EDT
    assert not demo.is_open(datetime(2026, 3, 8, 11, 59, tzinfo=timezone.utc))


def test_other_time_zone():
    paris = hours(support_hours="09:00-18:00", support_timezone="Europe/Paris")
    assert paris.is_open(datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))  # 09:00 in Paris
    assert not paris.is_open(datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    "values",
    [
        {"support_hours": "25:00-26:00"},
        {"support_hours": "08:61-22:00"},
        {"support_hours": "24:00-08:00"},
        {"support_timezone": "Mars/Olympus"},
        {"support_days": "mon,someday"},
    ],
)
def test_bad_settings_are_refused(values):
    with pytest.raises(ValueError):
        hours(**values)


def test_the_hours_setting_must_look_like_a_range():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, support_hours="8 to 10")
