"""cancel: the side effects, each from a one-time button — Confirm, Remove — and "Don't cancel".

Confirm carries the order, the reason and a request id minted when the button was
shown; the gateway lets each id through once. A typed "yes, cancel it" (or a forged
``cancel_order_confirm{...}``, which the gateway turns into plain text) has no reason
or request id from a button, and cancels nothing: the bot says to press Confirm.

When the provider fails, the bot offers Try again (its request id starts with
``retry-``) and support; when Try again fails too, the conversation is handed to a
person from our support team (docs/handoff-contract.md).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import orders_api
from actions.base import say
from actions.cancel_context import (
    ORDER_ENTITY,
    REASON_ENTITY,
    REQUEST_ENTITY,
    CancelAction,
    remember,
    send,
)
from actions.cancel_render import cancelled_reply, failed_reply, is_retry, refusal_reply
from actions.status import ready
from actions.support import Failure, HandoverAction
from actions.turn import Turn
from bot.config import get_settings
from bot.platform_client import PlatformError, PlatformUnavailable


class ActionCancelOrderConfirm(HandoverAction, CancelAction):
    """Cancel the order of the Confirm button, through the platform, once; when "Try
    again" fails too, hand the conversation to a person (reason ``action_failed``)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_order_confirm"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Cancel with the button's reason; confirm, or offer Try again and support (a
        failed Try again: a person from support takes over)."""
        if not ready(turn, dispatcher):
            return []
        ref = turn.entity(ORDER_ENTITY)
        reason = turn.entity(REASON_ENTITY)
        request_id = turn.entity(REQUEST_ENTITY)
        if not (ref and reason and request_id and turn.text.startswith("/")):
            say(dispatcher, turn, "cancel.press_confirm")
            return []
        ref = ref.strip().upper()
        try:
            done = await orders_api.cancel(
                self.client, turn.token, ref, reason, request_id, turn.lang
            )
        except (PlatformError, PlatformUnavailable) as exc:
            if getattr(exc, "code", "") == "unknown_reason":
                return await self.ask_reason(turn, dispatcher, ref)
            return self.say_refusal(dispatcher, turn, exc, ref)
        order = done.get("order") or {}
        outcome = done.get("outcome")
        if outcome == "cancelled":
            send(dispatcher, cancelled_reply(turn.lang, order))
            return remember(None)
        if outcome == "already_cancelled":
            send(dispatcher, refusal_reply(turn.lang, order))
            return remember(None)
        if outcome == "in_progress":
            say(dispatcher, turn, "cancel.in_progress", ref=ref)
            return []
        phone = get_settings().support_phone
        error = done.get("error")
        kept = failed_reply(turn.lang, order, reason, phone, error=error)
        if not is_retry(request_id):
            send(dispatcher, kept)
            return remember(ref)
        handed = failed_reply(turn.lang, order, reason, phone, handed_over=True, error=error)
        failure = Failure(handed=[handed], kept=[kept], gives_phone=True, events=remember(ref))
        return await self.hand_over_failure(turn, dispatcher, tracker, failure)


class ActionCancelOrderKeep(CancelAction):
    """ "Don't cancel": nothing changes."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_order_keep"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say the order stays as it is; forget it."""
        ref = self.order_ref(turn, tracker)
        if ref:
            say(dispatcher, turn, "cancel.kept", ref=ref)
        else:
            say(dispatcher, turn, "cancel.kept_none")
        return remember(None)


class ActionCancelOrderRemove(CancelAction):
    """ "Remove from active orders": take the cancelled order off the active orders list."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_order_remove"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Remove the button's order (only from a button) and say so."""
        if not ready(turn, dispatcher):
            return []
        ref = turn.entity(ORDER_ENTITY)
        if not ref or not turn.text.startswith("/"):
            say(dispatcher, turn, "cancel.remove_which")
            return []
        ref = ref.strip().upper()
        try:
            done = await orders_api.remove(
                self.client, turn.token, ref, turn.entity(REQUEST_ENTITY), turn.lang
            )
        except (PlatformError, PlatformUnavailable) as exc:
            return self.say_refusal(dispatcher, turn, exc, ref)
        key = "cancel.removed" if done.get("outcome") == "removed" else "cancel.already_removed"
        say(dispatcher, turn, key, ref=ref)
        return remember(None)
