"""What action_contact_support tells the user about the support queue it joined.

The platform answers the handoff with its availability (``open``, ``agents_online``,
``next_open_at``); this module picks the text and says, in the support time zone,
when someone will be back. It also gathers the recent messages the agent will read.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa_sdk import Tracker

from actions.catalog import render
from actions.turn import is_external

TRANSCRIPT_MESSAGES = 10
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def recent_transcript(tracker: Tracker, limit: int = TRANSCRIPT_MESSAGES) -> list[dict[str, str]]:
    """The last ``limit`` typed user messages and bot texts, oldest first.

    Button payloads (``/intent{...}``) and external messages have no words of the user's:
    they are left out. The platform redacts every text before storing it.
    """
    lines: list[dict[str, str]] = []
    for event in tracker.events or []:
        kind, text = event.get("event"), str(event.get("text") or "").strip()
        if not text:
            continue
        if kind == "user" and not is_external(event) and not text.startswith("/"):
            lines.append({"sender": "user", "text": text})
        elif kind == "bot":
            lines.append({"sender": "bot", "text": text})
    return lines[-limit:]


def queue_key(availability: dict[str, Any]) -> str:
    """The catalog key for the queue the handoff joined.

    Within support hours with someone online: a person takes it; outside hours (the
    platform says when it opens again): someone will be back then; otherwise it waits
    for the first person to come online.
    """
    if availability.get("open") and int(availability.get("agents_online") or 0) > 0:
        return "handoff.open"
    if not availability.get("open") and availability.get("next_open_at"):
        return "handoff.outside_hours"
    return "handoff.nobody_online"


def zone_name(zone: str) -> str:
    """``America/New_York`` → ``New York``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def clock(lang: str, moment: datetime) -> str:
    """``8:00 AM`` in English, ``8h00`` in French, ``8:00`` in Spanish."""
    if lang == "en":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    if lang == "fr":
        return f"{moment.hour}h{moment.minute:02d}"
    return f"{moment.hour}:{moment.minute:02d}"


def when_back(lang: str, next_open_at: object, zone: str, now: datetime | None = None) -> str:
    """When support opens again, in ``lang`` and in the support time zone; "" if unknown.

    Args:
        lang: the reply language.
        next_open_at: the platform's ISO 8601 time (``...Z`` or with an offset), or None.
        zone: the support time zone (IANA name, the ``SUPPORT_TIMEZONE`` setting).
        now: the current time (tests); the clock by default.
    """
    if not isinstance(next_open_at, str) or not next_open_at:
        return ""
    try:
        tz = ZoneInfo(zone)
        moment = datetime.fromisoformat(next_open_at.replace("Z", "+00:00"))
    except (ValueError, ZoneInfoNotFoundError):
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(tz)
    today = (now or datetime.now(timezone.utc)).astimezone(tz).date()
    days = (local.date() - today).days
    values = {"time": clock(lang, local), "zone": zone_name(zone)}
    if days <= 0:
        return render(lang, "handoff.when.today", **values)
    if days == 1:
        return render(lang, "handoff.when.tomorrow", **values)
    day = render(lang, f"handoff.day.{DAYS[local.weekday()]}")
    return render(lang, "handoff.when.day", day=day, **values)
