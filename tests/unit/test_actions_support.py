"""action_contact_support when nobody can be handed over: our support number only.

The handoff itself (a person takes over, the bot pauses) is in
test_actions_support_handoff.py, against the real platform app.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.support import ActionContactSupport
from bot.config import get_settings
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import tracker


async def ask(text: str, token: str | None) -> list[str]:
    dispatcher = CollectingDispatcher()
    events = await ActionContactSupport(PlatformStandIn().client()).run(
        dispatcher, tracker(text, "contact_support", token), {}
    )
    assert not [e for e in events if e["event"] == "pause"]
    return [m["text"] for m in dispatcher.messages]


async def test_an_unidentified_sender_gets_our_support_number() -> None:
    phone = get_settings().support_phone
    assert await ask("contact support", None) == [
        f"To reach our support team, send a text message to {phone}."
    ]
    assert (await ask("je voudrais parler à quelqu'un du support", "tok-forged")) == [
        f"Pour joindre notre équipe support, envoyez un SMS au {phone}."
    ]
