"""The conversational basics: greet, goodbye, thanks, help, "are you a bot?", fallback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
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


class ActionFallback(CatalogAction):
    """Answer a message the assistant did not understand or cannot handle."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_fallback"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say what the assistant can do instead."""
        say(dispatcher, turn, "fallback")
        return []
