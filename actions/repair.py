"""repair: "Reconnect <label>" buttons and "reconnect my DoorDash account".

For now the reconnection itself happens in the dashboard; the action says where,
or who in the organization may do it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.status import StatusQuery, fetch_filtered_status, fetch_status
from actions.status_render import account_name, reconnect_button, render_account, who_can
from actions.turn import Turn


def _reconnectable(account: dict[str, Any]) -> bool:
    return (account.get("next_step") or {}).get("kind") == "reconnect"


class ActionRepairReconnect(CatalogAction):
    """Tell the user how to reconnect an account, or who may."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_reconnect"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Answer for the account of the button, or the accounts the message names."""
        account_id = turn.entity("account_id") or tracker.get_slot("account_id")
        events = [SlotSet("account_id", None)] if tracker.get_slot("account_id") else []
        if account_id:
            status = await fetch_status(self, turn, dispatcher, StatusQuery())
        else:
            status = await fetch_filtered_status(self, turn, dispatcher)
        if status is None:
            return events
        broken = status.get("broken") or []
        if account_id:
            self._answer_account(turn, dispatcher, status, str(account_id))
        else:
            self._answer_accounts(turn, dispatcher, broken)
        return events

    def _answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, status: dict[str, Any], account_id: str
    ) -> None:
        entries = [a for a in status.get("broken") or [] if a.get("account_id") == account_id]
        if entries:
            # One entry per error: reconnecting comes first when it fixes one of them.
            entries.sort(key=lambda account: not _reconnectable(account))
            self._answer_one(turn, dispatcher, entries[0])
            return
        for account in status.get("working") or []:
            if account.get("account_id") == account_id:
                say(dispatcher, turn, "repair.not_broken", label=account_name(account))
                return
        say(dispatcher, turn, "repair.not_found")

    def _answer_accounts(
        self, turn: Turn, dispatcher: CollectingDispatcher, broken: list[dict[str, Any]]
    ) -> None:
        by_id: dict[str, dict[str, Any]] = {}
        for account in broken:
            if _reconnectable(account):
                by_id.setdefault(str(account.get("account_id")), account)
        candidates = list(by_id.values())
        if len(candidates) == 1:
            self._answer_one(turn, dispatcher, candidates[0])
        elif candidates:
            buttons = [reconnect_button(turn.lang, account) for account in candidates]
            say(dispatcher, turn, "repair.choose", buttons=buttons)
        elif broken:
            for account in broken:
                self._answer_one(turn, dispatcher, account)
        else:
            say(dispatcher, turn, "repair.nothing")

    def _answer_one(
        self, turn: Turn, dispatcher: CollectingDispatcher, account: dict[str, Any]
    ) -> None:
        step = account.get("next_step") or {}
        label = account_name(account)
        if not _reconnectable(account):
            say(dispatcher, turn, "repair.not_by_reconnecting", label=label)
            reply = render_account(turn.lang, account)
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        elif step.get("allowed"):
            say(dispatcher, turn, "repair.how", label=label)
        else:
            say(
                dispatcher,
                turn,
                "repair.not_allowed",
                label=label,
                who=who_can(turn.lang, step.get("who_can") or []),
            )
