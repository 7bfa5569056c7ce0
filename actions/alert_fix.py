"""alerts: "FIX" (or "what is this alert?") after a live alert.

The platform says which incident the user's latest alert was about
(``GET /api/v1/alerts/latest``, the SMS alert first when the reply comes by SMS); the
conversation goes on as the repair of that one account — action_repair_reconnect's
answer for one account (the link, the provider-portal steps, or who may), without
asking which provider or store. By SMS the reconnect is a one-time code button, as
every side effect by SMS. A link that works again (``resolved`` / ``flapped``): nothing
to fix. No alert: says so and offers the status.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import render
from actions.repair import ActionRepairReconnect
from actions.repair_context import clear_button, remember, say_failure, say_not_allowed
from actions.status import StatusQuery, fetch_status, ready
from actions.status_render import account_name, payload, reconnect_button
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable
from bot.side_effects import CONFIRMED_CHANNELS

WORKING_AGAIN = ("resolved", "flapped")


def status_button(lang: str) -> dict[str, str]:
    """ "Check my integrations": the status of every account."""
    return {"title": render(lang, "alerts.status_button"), "payload": payload("status")}


class ActionAlertFix(ActionRepairReconnect):
    """Repair the account of the user's latest alert."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_alert_fix"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Find the latest alert's incident and answer as the repair of its account."""
        events = clear_button(tracker)
        if not ready(turn, dispatcher):
            return events
        channel = turn.channel if turn.channel in ("sms", "email") else None
        try:
            alert = await self.client.latest_alert(turn.token, channel)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return events
        if alert is None:
            say(dispatcher, turn, "alerts.no_alert", buttons=[status_button(turn.lang)])
            return events
        where = {"provider": alert.get("provider") or "", "location": alert.get("location") or ""}
        if alert.get("state") in WORKING_AGAIN:
            say(dispatcher, turn, "alerts.working_again", **where)
            return events
        say(dispatcher, turn, "alerts.fix_intro", brand=alert.get("brand") or "", **where)
        status = await fetch_status(self, turn, dispatcher, StatusQuery())
        if status is None:
            return events
        account_id = str(alert.get("account_id") or "")
        return events + await self._answer_account(turn, dispatcher, status, account_id)

    async def pair(
        self, turn: Turn, dispatcher: CollectingDispatcher, account: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """By SMS, offer the reconnect as a one-time code button instead of starting it."""
        if turn.channel not in CONFIRMED_CHANNELS or turn.confirmed:
            return await super().pair(turn, dispatcher, account)
        account_id = str(account.get("account_id"))
        label = account_name(account)
        step = account.get("next_step") or {}
        if not step.get("allowed"):
            names = [str(name) for name in step.get("who_can") or [] if name]
            say_not_allowed(dispatcher, turn, "repair.not_allowed", label, account_id, names)
            return []
        buttons = [reconnect_button(turn.lang, account)]
        say(dispatcher, turn, "alerts.fix_by_code", buttons=buttons, label=label)
        return remember(account_id, "reconnect")
