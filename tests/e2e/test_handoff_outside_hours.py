"""Asking for a person outside support hours, against the whole stack: Marc (French) asks
in the web widget, is told in French that support is offline and when someone is back,
and his conversation waits in the console's queue, where Sam sees it.

Support hours are a platform setting read at start: for this module only the platform
process is restarted with hours that start two hours from now (seconds, not a second
stack), and restarted as it was afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

from bot.launcher import Stack
from tests.e2e.console_support import (
    BOT_TIMEOUT,
    LIVE,
    SAM,
    bot_said,
    browser,
    console,
    open_conversation,
    open_handoff_of,
    queue_row,
    say,
    widget,
)
from tests.e2e.support import platform_settings

__all__ = ["browser"]  # fixtures

pytestmark = pytest.mark.usefixtures("fresh_demo")

MARC = "Marc Manager"
SUPPORT_ZONE = "America/New_York"


@pytest.fixture(scope="module")
def reopens_at(stack: Stack) -> Iterator[datetime]:
    """Support hours of one hour starting two hours from now (New York time, every day):
    "now" is outside them. Yields when they start."""
    now = datetime.now(ZoneInfo(SUPPORT_ZONE))
    start = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    hours = f"{start:%H:%M}-{start + timedelta(hours=1):%H:%M}"
    env = {
        "SUPPORT_HOURS": hours,
        "SUPPORT_TIMEZONE": SUPPORT_ZONE,
        "SUPPORT_DAYS": "mon,tue,wed,thu,fri,sat,sun",
    }
    with platform_settings(stack, env):
        yield start


def french_when(start: datetime) -> str:
    """``aujourd'hui à 21h05 (heure de New York)`` (or ``demain à …``) for ``start``."""
    today = datetime.now(start.tzinfo).date()
    day = "aujourd'hui" if start.date() == today else "demain"
    return f"{day} à {start.hour}h{start.minute:02d} (heure de New York)"


async def test_marc_asks_outside_hours_is_told_in_french_and_waits_in_the_queue(
    stack: Stack, browser: Browser, reopens_at: datetime
) -> None:
    marc = await widget(browser, stack, MARC)
    await say(marc, "je veux parler à une personne")
    await bot_said(marc, "Notre équipe support est hors ligne (en dehors des heures de support).")
    await bot_said(marc, f"Quelqu'un sera de retour {french_when(reopens_at)}.")
    await bot_said(marc, "Votre conversation reste dans leur file d'attente d'ici là.")
    handoff = open_handoff_of(stack, MARC, "web")
    assert handoff is not None and handoff["state"] == "waiting", handoff
    assert handoff["language"] == "fr"

    sam = await console(browser, stack, SAM)  # agents may still sign in after hours
    row = queue_row(sam, MARC)
    await expect(row).to_contain_text("Demo Kitchen Group", timeout=LIVE)
    await expect(row).to_contain_text("web")
    await expect(row).to_contain_text("Waiting")

    # still queued: what Marc writes now reaches support, and the assistant stays quiet
    bubbles = marc.locator(".bubble.bot")
    before = await bubbles.count()
    await say(marc, "c'est urgent, DoorDash ne marche plus")
    await open_conversation(sam, MARC, "web")
    await expect(sam.locator("#handoff-state")).to_have_text("Waiting for an agent.")
    await expect(sam.locator("#transcript")).to_contain_text(
        "c'est urgent, DoorDash ne marche plus", timeout=LIVE
    )
    assert await bubbles.count() == before

    # he stops waiting: back with the assistant, and out of the queue
    await say(marc, "annuler")
    await bot_said(marc, "vous n'attendez plus le support")
    await sam.goto(stack.gateway_url + "/console/queue")
    await expect(queue_row(sam, MARC)).to_have_count(0, timeout=BOT_TIMEOUT)
    assert open_handoff_of(stack, MARC, "web") is None
