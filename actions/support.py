"""support: a person from our support team takes the conversation over (issue 7).

``action_contact_support`` asks the platform to open a handoff for this conversation
(``POST /api/v1/handoffs`` with the caller's identity token; docs/handoff-contract.md)
and tells the user, in their language, whether a person will take over now, or nobody
is online / it is outside support hours and when someone will be back — the
conversation stays queued either way. It returns Rasa's ``ConversationPaused``: from
then on the gateway sends the user's messages to the support console, not to Rasa.
The support text number (a setting) and, for the account under repair, the provider's
own contact, are given as before. When nobody can take it now and the user has a
verified phone, the queue message offers to text them when someone is back.

:class:`HandoverAction` is the one piece every handoff goes through: the user asking
(``asked``), two fallbacks in a row (``fallbacks``) and an action ending in a state only
support can fix (``action_failed``: an activation error, a cancellation failing again,
a pairing locked after too many wrong codes).
"""

from __future__ import annotations

from abc import ABC
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.repair_context import button_account, repairing_account
from actions.status_render import Reply, account_name
from actions.support_render import handoff_transcript, queue_reply, when_back
from actions.turn import Turn
from bot.config import get_settings
from bot.handoff_signal import OPENED
from bot.platform_client import PlatformError, PlatformUnavailable

HANDOFF_REASON = "asked"
FALLBACKS_REASON = "fallbacks"  # two messages in a row the assistant did not understand
ACTION_FAILED_REASON = "action_failed"  # an action ended in a state only support can fix
REQUESTED_SLOT = "requested_slot"

# The conversation of the action running in this task, for a handoff decided deep in a
# reply whose helpers take no tracker (repair's pairing, shared with action_alert_fix).
_CONVERSATION: ContextVar[Tracker | None] = ContextVar("handover_conversation", default=None)


@dataclass(frozen=True)
class Opening:
    """The platform's answer to opening a handoff: the handoff, or the text saying why
    there is none (``support.contact``: nobody to hand over; ``handoff.unavailable``)."""

    handoff: dict[str, Any] | None = None
    refusal: str = "handoff.unavailable"

    @property
    def opened(self) -> bool:
        """Whether a handoff is open for the conversation."""
        return self.handoff is not None


@dataclass(frozen=True)
class Failure:
    """What an action says when it ends needing support, with and without a handoff.

    ``handed`` is said when the handoff opened (no "Contact support" button: a person is
    coming), ``kept`` otherwise (the replies as before, with their buttons).
    ``gives_phone``: the replies already give our support number.
    """

    handed: list[Reply]
    kept: list[Reply]
    gives_phone: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one reply (text and buttons)."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons)


def pause_events(tracker: Tracker) -> list[dict[str, Any]]:
    """Pause the conversation; a form (loop) under way is deactivated first, so the
    conversation does not resume inside it once the person hands it back."""
    events: list[dict[str, Any]] = []
    if (tracker.active_loop or {}).get("name"):
        events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
    return [*events, ConversationPaused()]


class HandoverAction(CatalogAction, ABC):
    """An action that can hand the conversation to a person (docs/handoff-contract.md)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """rasa-sdk's entry point; the tracker stays at hand (:meth:`conversation`)."""
        reset = _CONVERSATION.set(tracker)
        try:
            return await super().run(dispatcher, tracker, domain)
        finally:
            _CONVERSATION.reset(reset)

    @staticmethod
    def conversation() -> Tracker | None:
        """The tracker of the action running in this task (``None`` outside ``run``)."""
        return _CONVERSATION.get()

    async def open_handoff(
        self, turn: Turn, tracker: Tracker, reason: str, said: list[str] | None = None
    ) -> Opening:
        """Ask the platform to open the conversation's handoff; say nothing yet.

        Args:
            turn: the current turn (its identity token names the conversation).
            tracker: the conversation, for the recent messages the agent will read.
            reason: ``asked``, ``fallbacks`` or ``action_failed``.
            said: texts this action is about to send (the agent reads them too).
        """
        if turn.token is None or (turn.reachable and not turn.identified):
            return Opening(refusal="support.contact")
        try:
            handoff = await self.client.open_handoff(
                turn.token,
                reason=reason,
                language=turn.lang,
                transcript=handoff_transcript(tracker, said or []),
            )
        except (PlatformError, PlatformUnavailable):
            return Opening()
        return Opening(handoff=dict(handoff or {}))

    async def announce(
        self,
        turn: Turn,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        opening: Opening,
        phone: bool = True,
    ) -> list[dict[str, Any]]:
        """Say where the handoff stands and pause; only the number when there is none.

        Args:
            phone: add "you can also text our support team at …" (not when the
                action's own reply just gave the number).
        """
        settings = get_settings()
        if opening.handoff is None:
            say(dispatcher, turn, opening.refusal, support_phone=settings.support_phone)
            return []
        availability = opening.handoff.get("availability") or {}
        when = when_back(turn.lang, availability.get("next_open_at"), settings.support_timezone)
        callback = opening.handoff.get("sms_callback")
        queued = queue_reply(turn.lang, availability, when, callback)
        # marked: after this turn the gateway asks the platform again (bot/handoff_signal.py)
        dispatcher.utter_message(text=queued.text, buttons=queued.buttons, json_message=OPENED)
        if phone and turn.channel != "sms":  # by SMS the user is already texting that number
            say(dispatcher, turn, "handoff.phone", support_phone=settings.support_phone)
        await self._provider_contact(turn, dispatcher, tracker)
        return pause_events(tracker)

    async def hand_over(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
    ) -> list[dict[str, Any]]:
        """Open the handoff and pause the conversation; only the number when it cannot be.

        An unidentified sender gets the support number (nobody to hand over); when the
        platform cannot open the handoff the user is told so, with the number, and the
        bot goes on answering.
        """
        opening = await self.open_handoff(turn, tracker, reason)
        return await self.announce(turn, dispatcher, tracker, opening)

    async def hand_over_failure(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, failure: Failure
    ) -> list[dict[str, Any]]:
        """The action ended needing support: say so, then hand over (``action_failed``).

        With the handoff open: the ``handed`` replies, "I'm passing this to a person…",
        the queue, and the pause after the failure's own events. Without (unidentified,
        platform down): the ``kept`` replies with their buttons, then the number, as
        :meth:`hand_over` says it; the failure's events only.
        """
        said = [reply.text for reply in failure.handed]
        opening = await self.open_handoff(turn, tracker, ACTION_FAILED_REASON, said)
        for reply in failure.handed if opening.opened else failure.kept:
            send(dispatcher, reply)
        if opening.opened:
            say(dispatcher, turn, "handoff.after_failure")
        phone = not failure.gives_phone
        return failure.events + await self.announce(turn, dispatcher, tracker, opening, phone)

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


class ActionContactSupport(HandoverAction):
    """Hand the conversation to our support team; say how long it may take."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_contact_support"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """The user asked for a person: hand the conversation over."""
        return await self.hand_over(turn, dispatcher, tracker, HANDOFF_REASON)
