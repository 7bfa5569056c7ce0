"""support: a person from our support team takes the conversation over (issue 7).

``action_contact_support`` asks the platform to open a handoff for this conversation
(``POST /api/v1/handoffs`` with the caller's identity token; docs/handoff-contract.md)
and tells the user, in their language, whether a person will take over now, or nobody
is online / it is outside support hours and when someone will be back — the
conversation stays queued either way. It returns Rasa's ``ConversationPaused``: from
then on the gateway sends the user's messages to the support console, not to Rasa.
The support text number (a setting) and, for the account under repair, the provider's
own contact, are given as before.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.repair_context import button_account, repairing_account
from actions.status_render import account_name
from actions.support_render import queue_key, recent_transcript, when_back
from actions.turn import Turn
from bot.config import get_settings
from bot.platform_client import PlatformError, PlatformUnavailable

HANDOFF_REASON = "asked"
FALLBACKS_REASON = "fallbacks"  # two messages in a row the assistant did not understand


class ActionContactSupport(CatalogAction):
    """Hand the conversation to our support team; say how long it may take."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_contact_support"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """The user asked for a person: hand the conversation over."""
        return await self.hand_over(turn, dispatcher, tracker, HANDOFF_REASON)

    async def hand_over(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
    ) -> list[dict[str, Any]]:
        """Open the handoff and pause the conversation; only the number when it cannot be.

        An unidentified sender gets the support number (nobody to hand over); when the
        platform cannot open the handoff the user is told so, with the number, and the
        bot goes on answering.
        """
        settings = get_settings()
        phone = settings.support_phone
        if turn.token is None or (turn.reachable and not turn.identified):
            say(dispatcher, turn, "support.contact", support_phone=phone)
            return []
        try:
            handoff = await self.client.open_handoff(
                turn.token,
                reason=reason,
                language=turn.lang,
                transcript=recent_transcript(tracker),
            )
        except (PlatformError, PlatformUnavailable):
            say(dispatcher, turn, "handoff.unavailable", support_phone=phone)
            return []
        availability = handoff.get("availability") or {}
        when = when_back(turn.lang, availability.get("next_open_at"), settings.support_timezone)
        say(dispatcher, turn, queue_key(availability), when=when)
        if turn.channel != "sms":  # by SMS the user is already texting that number
            say(dispatcher, turn, "handoff.phone", support_phone=phone)
        await self._provider_contact(turn, dispatcher, tracker)
        return [ConversationPaused()]

    async def _provider_contact(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        """Add the provider's own contact for the account under repair, if it has one."""
        account_id = button_account(turn, tracker) or repairing_account(tracker)
        if not account_id:
            return
        try:
            status = await self.client.integration_status(turn.token, lang=turn.lang)
        except (PlatformError, PlatformUnavailable):
            return
        for entry in status.get("broken") or []:
            contact = (entry.get("next_step") or {}).get("contact")
            if entry.get("account_id") == account_id and contact:
                say(
                    dispatcher,
                    turn,
                    "support.provider",
                    provider=str(entry.get("provider") or ""),
                    label=account_name(entry),
                    contact=str(contact),
                )
                return
