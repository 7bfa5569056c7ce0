"""Handoffs through the API, for its tests: demo people, opening a handoff as a user,
console calls as an agent, and support hours that put "now" inside or outside."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.platform.models import Agent

OLIVIA = "olivia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
SAM = "sam@support.test"
ANA = "ana@support.test"
PASSWORDS = {SAM: "agent-demo-1", ANA: "agent-demo-2"}
SUPPORT_ZONE = ZoneInfo("America/New_York")


def agent_ids(read_db) -> dict[str, int]:
    """The demo agents' ids by e-mail."""
    return read_db(lambda session: {a.email: a.id for a in session.scalars(select(Agent))})


def as_agent(internal_headers: dict[str, str], agent_id: int) -> dict[str, str]:
    """Headers of a console call by ``agent_id`` (through the gateway: the internal token)."""
    return {**internal_headers, "X-Agent-Id": str(agent_id)}


async def open_as(client, headers, *, transcript=(), language="en", expect=201) -> dict:
    """Open a handoff of the token's conversation (``expect`` asserted); the answer."""
    response = await client.post(
        "/api/v1/handoffs",
        json={"reason": "asked", "language": language, "transcript": list(transcript)},
        headers=headers,
    )
    assert response.status_code == expect, response.text
    return response.json()


def hours_outside_now(now: datetime | None = None) -> tuple[str, datetime]:
    """``SUPPORT_HOURS`` (one hour, starting two hours from now, New York time) and when
    that next opens: "now" is outside them."""
    now = (now or datetime.now(timezone.utc)).astimezone(SUPPORT_ZONE)
    start = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=1)
    return f"{start:%H:%M}-{end:%H:%M}", start


ALWAYS_OPEN = "00:00-24:00"
