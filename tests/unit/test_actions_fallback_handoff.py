"""Two messages in a row the assistant did not understand hand the conversation to a
person (issue 7): action_fallback against the real platform app on the demo data."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.basics import ActionFallback
from actions.catalog import render
from bot.platform.models import Handoff
from tests.unit.test_actions_support_handoff import (
    OLIVIA,
    PAUSE,
    SOFIA,
    hours_around_now,
    platform_with_hours,
)
from tests.unit.trackers import tracker

LISTEN = {"event": "action", "name": "action_listen"}
FALLBACK = {"event": "action", "name": "action_fallback"}
STATUS = {"event": "action", "name": "action_status"}


def after(text: str, token: str, earlier: list[dict]) -> Tracker:
    """A tracker with ``earlier`` events, then the user's ``text`` (an nlu_fallback)."""
    latest = tracker(text, "nlu_fallback", token)
    user = {"event": "user", "text": text, "metadata": latest.latest_message["metadata"]}
    return Tracker(
        latest.sender_id, {}, latest.latest_message, [*earlier, user], False, None, {}, ""
    )


async def fall_back(client, shape: Tracker) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFallback(client).run(dispatcher, shape, {})
    return [m["text"] for m in dispatcher.messages], events


def reasons(platform) -> list[tuple[str, str]]:
    rows = platform.query(lambda s: list(s.scalars(select(Handoff).order_by(Handoff.id))))
    return [(row.reason, row.state) for row in rows]


async def test_the_second_fallback_in_a_row_hands_over(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        token = platform.token(OLIVIA)
        first = [{"event": "user", "text": "blorp"}, FALLBACK, LISTEN]
        texts, events = await fall_back(platform.client, after("zzz qqq", token, first))
        assert texts[0] == (
            "Sorry, I still don't understand. "
            "Let me get a person from our support team to help you."
        )
        assert texts[1].startswith("Nobody from our support team is online right now.")
        assert PAUSE in events
        assert reasons(platform) == [("fallbacks", "waiting")]


async def test_one_fallback_only_says_what_the_bot_can_do(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        token = platform.token(SOFIA)
        understood = [{"event": "user", "text": "estado"}, STATUS, LISTEN]
        texts, events = await fall_back(platform.client, after("blorp", token, understood))
        assert texts == [render("es", "fallback")]  # what the bot can do, no handoff
        assert PAUSE not in events
        assert reasons(platform) == []
        texts, events = await fall_back(platform.client, after("blorp", token, []))
        assert PAUSE not in events and reasons(platform) == []
