"""repair: "let them know": a user who may not fix an account asks those who may."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import join_names
from actions.repair_context import AccountAction, account_label
from actions.turn import Turn


class ActionRepairNotifyManagers(AccountAction):
    """Ask the organization's integration managers to fix an account."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_notify_managers"

    async def answer_none(
        self, turn: Turn, dispatcher: CollectingDispatcher
    ) -> list[dict[str, Any]]:
        """No account to ask about: ask which."""
        say(dispatcher, turn, "repair.notify_which")
        return []

    async def answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, account_id: str
    ) -> list[dict[str, Any]]:
        """Record the request and say who was told."""
        answer = await self.call_platform(
            turn, dispatcher, self.client.request_repair, turn.token, account_id
        )
        if answer is None:
            return []
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
        return []
