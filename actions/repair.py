"""repair: "Reconnect <label>" buttons and "reconnect my DoorDash account".

Reconnecting starts a pairing in the platform and sends its one-time link; the
platform decides who may (403 ``not_allowed`` names who can), whether the account
needs portal steps first (409 ``portal_steps``), is working (409 ``not_broken``) or is
locked after too many wrong codes (423 ``locked``: a person from our support team
takes the conversation, docs/handoff-contract.md).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.repair_context import (
    button_account,
    clear_button,
    remember,
    say_failure,
    say_not_allowed,
)
from actions.repair_pairing import locked_failure, say_link
from actions.status import StatusQuery, fetch_filtered_status, fetch_status
from actions.status_render import account_name, reconnect_button, render_account
from actions.support import HandoverAction
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


def _reconnectable(account: dict[str, Any]) -> bool:
    return (account.get("next_step") or {}).get("kind") == "reconnect"


class ActionRepairReconnect(HandoverAction):
    """Send a one-time pairing link for an account, or say why not and what instead; a
    reconnection locked after too many wrong codes goes to a person from support."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_reconnect"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Answer for the account of the button, or the accounts the message names."""
        account_id = button_account(turn, tracker)
        events = clear_button(tracker)
        if account_id:
            status = await fetch_status(self, turn, dispatcher, StatusQuery())
        else:
            status = await fetch_filtered_status(self, turn, dispatcher)
        if status is None:
            return events
        if account_id:
            return events + await self._answer_account(turn, dispatcher, status, account_id)
        return events + await self._answer_accounts(turn, dispatcher, status)

    async def _answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, status: dict[str, Any], account_id: str
    ) -> list[dict[str, Any]]:
        entries = [a for a in status.get("broken") or [] if a.get("account_id") == account_id]
        if entries:
            # One entry per error: reconnecting comes first when it fixes one of them.
            entries.sort(key=lambda account: not _reconnectable(account))
            return await self._answer_one(turn, dispatcher, entries[0])
        for account in status.get("working") or []:
            if account.get("account_id") == account_id:
                say(dispatcher, turn, "repair.not_broken", label=account_name(account))
                return []
        say(dispatcher, turn, "repair.not_found")
        return []

    async def _answer_accounts(
        self, turn: Turn, dispatcher: CollectingDispatcher, status: dict[str, Any]
    ) -> list[dict[str, Any]]:
        broken = status.get("broken") or []
        by_id: dict[str, dict[str, Any]] = {}
        for account in broken:
            if _reconnectable(account):
                by_id.setdefault(str(account.get("account_id")), account)
        candidates = list(by_id.values())
        if len(candidates) == 1:
            return await self._answer_one(turn, dispatcher, candidates[0])
        if candidates:
            buttons = [reconnect_button(turn.lang, account) for account in candidates]
            say(dispatcher, turn, "repair.choose", buttons=buttons)
            return []
        if not broken:
            say(dispatcher, turn, "repair.nothing")
            return []
        events: list[dict[str, Any]] = []
        offered: set[str] = set()
        for account in broken:
            if str(account.get("account_id")) not in offered:
                events = self._portal_steps(turn, dispatcher, account)
                offered.add(str(account.get("account_id")))
        return events

    def _portal_steps(
        self, turn: Turn, dispatcher: CollectingDispatcher, account: dict[str, Any]
    ) -> list[dict[str, Any]]:
        say(dispatcher, turn, "repair.not_by_reconnecting", label=account_name(account))
        reply = render_account(turn.lang, account)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return remember(account.get("account_id"), "portal_steps")

    async def _answer_one(
        self, turn: Turn, dispatcher: CollectingDispatcher, account: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not _reconnectable(account):
            return self._portal_steps(turn, dispatcher, account)
        return await self.pair(turn, dispatcher, account)

    async def pair(
        self, turn: Turn, dispatcher: CollectingDispatcher, account: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Start pairing one reconnectable account and send its link, or say why not."""
        account_id = str(account.get("account_id"))
        label = account_name(account)
        step = account.get("next_step") or {}
        try:
            pairing = await self.client.start_pairing(turn.token, account_id, turn.lang)
        except PlatformError as exc:
            if exc.code == "not_allowed":
                names = list(exc.detail.get("who_can") or step.get("who_can") or [])
                say_not_allowed(dispatcher, turn, "repair.not_allowed", label, account_id, names)
            elif exc.code == "portal_steps":
                return self._portal_steps(turn, dispatcher, account)
            elif exc.code == "not_broken":
                say(dispatcher, turn, "repair.not_broken", label=label)
            elif exc.code == "locked":
                locked_until = exc.detail.get("locked_until")
                return await self.locked(turn, dispatcher, label, locked_until)
            else:
                say_failure(dispatcher, turn, exc)
            return []
        except PlatformUnavailable as exc:
            say_failure(dispatcher, turn, exc)
            return []
        say_link(dispatcher, turn, pairing)
        return remember(account_id, "reconnect")

    async def locked(
        self,
        turn: Turn,
        dispatcher: CollectingDispatcher,
        label: str,
        locked_until: Any,
    ) -> list[dict[str, Any]]:
        """Reconnecting is locked after too many wrong codes: say until when, and hand
        the conversation to a person from support (reason ``action_failed``)."""
        tracker = self.conversation()
        failure = locked_failure(turn, label, locked_until, [])
        if tracker is None:  # not run by rasa-sdk: nothing to hand over
            for reply in failure.kept:
                dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
            return []
        return await self.hand_over_failure(turn, dispatcher, tracker, failure)
