"""What action_contact_support tells the user about the support queue it joined.

The platform answers the handoff with its availability (``open``, ``agents_online``,
``next_open_at``) and, when nobody can take it now and the user has a verified phone,
``sms_callback`` (the phone, masked: ``•••• 1234``); this module picks the text, says in
the support time zone when someone will be back, and offers the text-me-back buttons
(payloads ``/handoff_callback`` and ``/handoff_wait``, which the gateway answers while
the conversation is paused). It also gathers the recent messages the agent will read.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa_sdk import Tracker

from actions.catalog import render
from actions.status_render import Reply
from actions.turn import is_external

TRANSCRIPT_MESSAGES = 10
CALLBACK_PAYLOAD = "/handoff_callback"  # "Text me when someone's back"
WAIT_PAYLOAD = "/handoff_wait"  # "Keep me in the queue"
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


def handoff_transcript(
    tracker: Tracker, said: list[str], limit: int = TRANSCRIPT_MESSAGES
) -> list[dict[str, str]]:
    """The recent messages, then the bot texts ``said`` in this turn (not in the tracker
    yet: an action's failure the agent must read), the last ``limit`` of them."""
    lines = recent_transcript(tracker, limit)
    lines += [{"sender": "bot", "text": text} for text in said if text.strip()]
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


def callback_buttons(lang: str) -> list[dict[str, str]]:
    """ "Text me when someone's back" and "Keep me in the queue"."""
    return [
        {"title": render(lang, "handoff.callback.text_me"), "payload": CALLBACK_PAYLOAD},
        {"title": render(lang, "handoff.callback.wait"), "payload": WAIT_PAYLOAD},
    ]


def queue_reply(
    lang: str, availability: dict[str, Any], when: str, sms_callback: object = None
) -> Reply:
    """The queue the handoff joined; with the offer to text the user back when the
    platform gives their masked phone (``sms_callback``: nobody can take it now)."""
    text = render(lang, queue_key(availability), when=when)
    if not isinstance(sms_callback, str) or not sms_callback.strip():
        return Reply(text)
    offer = render(lang, "handoff.callback.offer", phone=sms_callback.strip())
    return Reply(f"{text}\n{offer}", callback_buttons(lang))
