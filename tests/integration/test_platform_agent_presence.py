"""Agents' presence: an agent counts as online (in a handoff's availability, and so for
the SMS callback offer) only while marked online and seen within
``AGENT_PRESENCE_SECONDS``; the console marks an open page online again every
heartbeat, so a console closed without logging out stops counting after the window.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.platform.models import Agent, utcnow
from tests.integration.handoff_requests import ALWAYS_OPEN, ANA, OLIVIA, SAM, agent_ids

WINDOW = 5  # seconds: the shortest window the settings accept


def _seen(sessions, agent_id: int, seconds_ago: float) -> None:
    """The agent was last seen ``seconds_ago`` (what a closed console leaves behind)."""
    with sessions() as session:
        seen = utcnow() - timedelta(seconds=seconds_ago)
        session.execute(update(Agent).where(Agent.id == agent_id).values(last_seen_at=seen))
        session.commit()


async def test_an_agent_stops_counting_after_the_presence_window(
    client_with, auth_for, internal_headers, read_db, sessions
):
    ids = agent_ids(read_db)
    settings = {"support_hours": ALWAYS_OPEN, "agent_presence_seconds": WINDOW}
    async with client_with(**settings) as client:

        async def mark(email: str, online: bool) -> None:
            response = await client.post(
                f"/internal/agents/{ids[email]}/online",
                json={"online": online},
                headers=internal_headers,
            )
            assert response.status_code == 200, response.text

        async def availability() -> tuple[int, str | None]:
            response = await client.post(
                "/api/v1/handoffs", json={}, headers=auth_for(OLIVIA, "web:1:presence")
            )
            assert response.status_code in (200, 201), response.text
            opened = response.json()
            return opened["availability"]["agents_online"], opened["sms_callback"]

        await mark(SAM, True)
        await mark(ANA, True)
        assert await availability() == (2, None)

        # Ana's console was closed without logging out: seen longer ago than the window.
        _seen(sessions, ids[ANA], WINDOW + 1)
        assert await availability() == (1, None)
        _seen(sessions, ids[SAM], WINDOW + 1)
        assert await availability() == (0, "•••• 0001")  # nobody: the callback is offered

        # Sam's console beats again: he counts again.
        await mark(SAM, True)
        assert await availability() == (1, None)
        # Seen just now but logged out: not online.
        await mark(SAM, False)
        assert await availability() == (0, "•••• 0001")
        # Inside the window still counts.
        await mark(ANA, True)
        _seen(sessions, ids[ANA], WINDOW - 2)
        assert await availability() == (1, None)
