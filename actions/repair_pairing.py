"""repair: the one-time pairing link, and where a pairing stands after the page.

The link is sent by action_repair_reconnect (``say_link``). action_repair_pairing_update
runs when the gateway reports that the page moved on (an external message with the
entity ``pairing_event``) or when the user types "done": it reads the conversation's
current pairing and says what happened and what comes next.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.repair_context import (
    REPAIR_STEP_SLOT,
    account_label,
    locked_reply,
    minutes_until,
    ready,
    remember,
    repairing_account,
    say_failure,
    say_new_error,
)
from actions.repair_steps import check_steps
from actions.status_render import new_link_button, store_list, support_button
from actions.support import Failure, HandoverAction, send
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable

EXPIRED_OUTCOMES = ("expired", "superseded")


def say_link(dispatcher: CollectingDispatcher, turn: Turn, pairing: dict[str, Any]) -> None:
    """The secure one-time link, how long it lasts, and where (not) to type the password."""
    say(
        dispatcher,
        turn,
        "repair.link",
        label=account_label(pairing),
        url=pairing.get("url") or "",
        minutes=minutes_until(pairing.get("expires_at")),
        provider=pairing.get("provider") or "",
        asks_code=bool(pairing.get("asks_code")),
    )


def locked_failure(
    turn: Turn, label: str, locked_until: Any, events: list[dict[str, Any]]
) -> Failure:
    """The lock after too many wrong codes, as a failure a person from support takes
    over (without the "Contact support" button), or offers support (with it)."""
    return Failure(
        handed=[locked_reply(turn.lang, label, locked_until, with_button=False)],
        kept=[locked_reply(turn.lang, label, locked_until)],
        events=events,
    )


def is_locked(pairing: dict[str, Any]) -> bool:
    """Whether ``pairing`` ended locked (too many wrong codes), as :func:`report_pairing`
    reads it: a success or a new error comes first."""
    state = str(pairing.get("state") or "")
    outcome = str(pairing.get("outcome") or "")
    if outcome in ("succeeded", "new_error") or state == "succeeded":
        return False
    return outcome == "locked" or state == "locked"


def report_pairing(
    dispatcher: CollectingDispatcher, turn: Turn, pairing: dict[str, Any]
) -> list[dict[str, Any]]:
    """Say where ``pairing`` stands and offer the next step; return the events."""
    lang = turn.lang
    state = str(pairing.get("state") or "")
    outcome = str(pairing.get("outcome") or "")
    account_id = pairing.get("account_id")
    label = account_label(pairing)
    provider = pairing.get("provider") or label
    events = remember(account_id, "reconnect")
    if outcome == "succeeded" or (state == "succeeded" and outcome != "new_error"):
        say(
            dispatcher,
            turn,
            "repair.succeeded",
            label=label,
            stores=store_list(lang, pairing.get("stores") or []),
        )
        return remember(None, None)
    if outcome == "new_error":
        return say_new_error(dispatcher, turn, "repair.pairing_new_error", pairing)
    if outcome == "locked" or state == "locked":
        send(dispatcher, locked_reply(lang, label, pairing.get("locked_until")))
    elif state == "expired" or outcome in EXPIRED_OUTCOMES:
        say(dispatcher, turn, "repair.expired", buttons=[new_link_button(lang, account_id)])
    elif outcome == "invalid_credentials":
        buttons = [new_link_button(lang, account_id)]
        say(dispatcher, turn, "repair.invalid_credentials", buttons=buttons, provider=provider)
    elif outcome == "code_rejected":
        attempts = pairing.get("attempts_left")
        say(
            dispatcher,
            turn,
            "repair.code_rejected",
            provider=provider,
            attempts_left=attempts if isinstance(attempts, int) else -1,
        )
    elif outcome == "needs_code" or state == "awaiting_code":
        say(dispatcher, turn, "repair.needs_code", provider=provider)
    elif outcome == "provider_error":
        buttons = [new_link_button(lang, account_id), support_button(lang)]
        say(dispatcher, turn, "repair.provider_error", buttons=buttons, provider=provider)
    else:  # open: the page has not been used yet
        say(
            dispatcher,
            turn,
            "repair.waiting",
            label=label,
            minutes=minutes_until(pairing.get("expires_at")),
        )
    return events


class ActionRepairPairingUpdate(HandoverAction):
    """Where the conversation's pairing stands: the page finished, or the user says "done".

    A pairing locked after too many wrong codes hands the conversation to a person from
    our support team (reason ``action_failed``).
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_repair_pairing_update"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Read the current pairing and report it.

        A typed "done" while the conversation's latest repair is provider-portal steps
        means "I've completed these steps".
        """
        if not ready(turn, dispatcher):
            return []
        account_id = repairing_account(tracker)
        portal = tracker.get_slot(REPAIR_STEP_SLOT) == "portal_steps"
        if not turn.external and portal and account_id:
            return await check_steps(self, turn, dispatcher, account_id)
        try:
            pairing = await self.client.current_pairing(turn.token)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return []
        if pairing is None:
            say(dispatcher, turn, "repair.no_pairing")
            return []
        if is_locked(pairing):
            events = remember(pairing.get("account_id"), "reconnect")
            label = account_label(pairing)
            failure = locked_failure(turn, label, pairing.get("locked_until"), events)
            return await self.hand_over_failure(turn, dispatcher, tracker, failure)
        return report_pairing(dispatcher, turn, pairing)
