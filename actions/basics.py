"""The conversational basics: greet, goodbye, thanks, help, "are you a bot?", fallback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.support import FALLBACKS_REASON, HandoverAction
from actions.turn import Turn
from bot.config import get_settings


class ActionGreet(CatalogAction):
    """Say hello, by first name when the sender is known."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_greet"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Greet and say what to ask."""
        say(dispatcher, turn, "greet", name=turn.first_name)
        return []


class ActionGoodbye(CatalogAction):
    """Say goodbye."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_goodbye"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say goodbye."""
        say(dispatcher, turn, "goodbye")
        return []


class ActionThank(CatalogAction):
    """Answer a thank-you."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_thank"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say "you're welcome"."""
        say(dispatcher, turn, "thank")
        return []


class ActionHelp(CatalogAction):
    """Say what the assistant can do, with examples to type."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_help"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Explain the assistant's capabilities."""
        say(dispatcher, turn, "help")
        return []


class ActionBotChallenge(CatalogAction):
    """Answer "are you a bot?" truthfully, with the way to reach a person."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_bot_challenge"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say it is an automated assistant and give the support number."""
        say(dispatcher, turn, "bot_challenge", support_phone=get_settings().support_phone)
        return []


FALLBACK_ACTION = "action_fallback"
UNCOUNTED_ACTIONS = frozenset({"action_listen", "action_session_start"})


def fell_back_before(tracker: Tracker) -> bool:
    """Whether the user's previous message, too, got nothing but the fallback."""
    events = list(tracker.events or [])
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if len(users) < 2:
        return False
    between = events[users[-2] + 1 : users[-1]]
    actions = {
        str(event.get("name"))
        for event in between
        if event.get("event") == "action" and event.get("name") not in UNCOUNTED_ACTIONS
    }
    return actions == {FALLBACK_ACTION}


class ActionFallback(HandoverAction):
    """Answer a message the assistant did not understand or cannot handle; the second
    in a row hands the conversation to a person (docs/handoff-contract.md)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return FALLBACK_ACTION

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say what the assistant can do instead, or, twice in a row, get a person."""
        if fell_back_before(tracker) and turn.identified:
            say(dispatcher, turn, "handoff.after_fallbacks")
            return await self.hand_over(turn, dispatcher, tracker, FALLBACKS_REASON)
        say(dispatcher, turn, "fallback")
        return []
