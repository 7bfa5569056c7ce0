"""repair: "let them know": a user who may not fix an account asks those who may."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import join_names
from actions.repair_context import (
    account_label,
    button_account,
    clear_button,
    ready,
    repairing_account,
    say_failure,
)
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


class ActionRepairNotifyManagers(CatalogAction):
    """Ask the organization's integration managers to fix an account."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_notify_managers"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Record the request and say who was told."""
        events = clear_button(tracker)
        if not ready(turn, dispatcher):
            return events
        account_id = button_account(turn, tracker) or repairing_account(tracker)
        if not account_id:
            say(dispatcher, turn, "repair.notify_which")
            return events
        try:
            answer = await self.client.request_repair(turn.token, account_id)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return events
        names = [str(name) for name in answer.get("notified") or [] if name]
        label = account_label(answer) or account_id
        if names:
            say(
                dispatcher,
                turn,
                "repair.notified",
                names=join_names(turn.lang, names, "and"),
                label=label,
            )
        else:
            say(dispatcher, turn, "repair.notified_nobody", label=label)
        return events
