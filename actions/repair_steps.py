"""repair: "I've completed these steps" and "I'll do this later" under provider-portal steps.

Completed → the platform checks the connection through the provider: resolved (stores
back online), not resolved (try again or contact support) or a new error (its repair,
e.g. Reconnect). Later → acknowledged; the account stays on the status list.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.repair_context import (
    REPAIR_STEP_SLOT,
    AccountAction,
    account_label,
    button_account,
    remember,
    repairing_account,
    say_failure,
    say_new_error,
    say_not_allowed,
)
from actions.status import StatusQuery, fetch_status
from actions.status_render import (
    account_name,
    payload,
    store_list,
    support_button,
    try_again_button,
)
from actions.turn import Turn
from bot.platform_client import PROVIDER_NOT_RESPONDING, PlatformError, PlatformUnavailable


def _portal_accounts(status: dict[str, Any]) -> list[dict[str, Any]]:
    """One broken entry per account whose next step is provider-portal steps."""
    by_id: dict[str, dict[str, Any]] = {}
    for entry in status.get("broken") or []:
        if (entry.get("next_step") or {}).get("kind") == "portal_steps":
            by_id.setdefault(str(entry.get("account_id")), entry)
    return list(by_id.values())


async def check_steps(
    action: CatalogAction, turn: Turn, dispatcher: CollectingDispatcher, account_id: str
) -> list[dict[str, Any]]:
    """Ask the platform to check ``account_id`` after the portal steps; say the result."""
    try:
        check = await action.client.check_repair(turn.token, account_id, turn.lang)
    except PlatformError as exc:
        if exc.code == "not_allowed":
            label = await _label_of(action, turn, account_id)
            names = list(exc.detail.get("who_can") or [])
            say_not_allowed(dispatcher, turn, "repair.check_not_allowed", label, account_id, names)
            return []
        if exc.code == "not_portal_steps":
            say(dispatcher, turn, "repair.not_portal_steps")
            return remember(None, None)
        if exc.code == PROVIDER_NOT_RESPONDING:
            buttons = [try_again_button(turn.lang, account_id), support_button(turn.lang)]
            provider = exc.detail.get("provider") or account_id
            say(dispatcher, turn, "repair.check_not_responding", buttons=buttons, provider=provider)
            return remember(account_id, "portal_steps")
        say_failure(dispatcher, turn, exc)
        return []
    except PlatformUnavailable as exc:
        say_failure(dispatcher, turn, exc)
        return []
    outcome = check.get("outcome")
    provider = check.get("provider") or account_label(check)
    if outcome == "resolved":
        stores = store_list(turn.lang, check.get("stores") or [])
        say(dispatcher, turn, "repair.resolved", provider=provider, stores=stores)
        return remember(None, None)
    if outcome == "new_error":
        return say_new_error(dispatcher, turn, "repair.check_new_error", check)
    broken = check.get("broken") or []
    problem = str((broken[0].get("problem") if broken else "") or "").rstrip(".")
    say(
        dispatcher,
        turn,
        "repair.not_resolved",
        buttons=[try_again_button(turn.lang, account_id), support_button(turn.lang)],
        provider=provider,
        label=account_label(check),
        problem=problem,
    )
    return remember(account_id, "portal_steps")


async def _label_of(action: CatalogAction, turn: Turn, account_id: str) -> str:
    """The account's label from the status answer (the account id if it is not there)."""
    try:
        status = await action.client.integration_status(turn.token, lang=turn.lang)
    except (PlatformError, PlatformUnavailable):
        return account_id
    for entry in (status.get("broken") or []) + (status.get("working") or []):
        if entry.get("account_id") == account_id:
            return account_name(entry)
    return account_id


class ActionRepairStepsDone(AccountAction):
    """ "I've completed these steps": check the account and report."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_steps_done"

    def account_of(self, turn: Turn, tracker: Tracker) -> str | None:
        """The button's account, else the one under portal steps."""
        account_id = button_account(turn, tracker)
        if not account_id and tracker.get_slot(REPAIR_STEP_SLOT) == "portal_steps":
            account_id = repairing_account(tracker)
        return account_id

    async def answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, account_id: str
    ) -> list[dict[str, Any]]:
        """Check the account and report."""
        return await check_steps(self, turn, dispatcher, account_id)

    async def answer_none(
        self, turn: Turn, dispatcher: CollectingDispatcher
    ) -> list[dict[str, Any]]:
        """Check the only account under portal steps, or ask which one."""
        status = await fetch_status(self, turn, dispatcher, StatusQuery())
        if status is None:
            return []
        candidates = _portal_accounts(status)
        if len(candidates) == 1:
            account_id = str(candidates[0].get("account_id"))
            return await check_steps(self, turn, dispatcher, account_id)
        if not candidates:
            say(dispatcher, turn, "repair.no_steps")
            return []
        buttons = [
            {
                "title": account_name(entry),
                "payload": payload("repair_steps_done", entry.get("account_id")),
            }
            for entry in candidates
        ]
        say(dispatcher, turn, "repair.choose_steps", buttons=buttons)
        return []


class ActionRepairLater(AccountAction):
    """ "I'll do this later": acknowledged; the account keeps needing attention."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_later"

    async def answer_none(
        self, turn: Turn, dispatcher: CollectingDispatcher
    ) -> list[dict[str, Any]]:
        """Nothing to put off."""
        say(dispatcher, turn, "repair.later_nothing")
        return []

    async def answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, account_id: str
    ) -> list[dict[str, Any]]:
        """Record the deferral and say the account stays on the list."""
        answer = await self.call_platform(
            turn, dispatcher, self.client.defer_repair, turn.token, account_id
        )
        if answer is None:
            return []
        say(dispatcher, turn, "repair.later", label=account_label(answer) or account_id)
        return remember(None, None)
