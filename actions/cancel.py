"""cancel: "cancel order DD-1001", "annule la commande UE-2002", "cancel my last DoorDash order".

With an order number the bot asks the platform whether the order can be cancelled
through us (the user may cancel orders, it is their organization's, it is not delivered
or fulfilled, its provider cancels through us) and, when it can, shows its summary and
asks for one of the provider's reasons (buttons). Without one it lists the recent live
orders (of the named provider) as buttons. The reason leads to the summary again with
Confirm (a one-time button, :mod:`actions.cancel_confirm`) and "Don't cancel".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import orders_api
from actions.base import say
from actions.cancel_context import (
    REASON_ENTITY,
    CancelAction,
    remember,
    send,
    typed_reason,
)
from actions.cancel_render import confirm_reply, order_button, reasons_reply
from actions.status import ready
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


class ActionCancelOrder(CancelAction):
    """Start cancelling an order: its summary and reasons, or a list of orders to pick from."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_order"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Answer about the order the message names, else list the recent live orders."""
        if not ready(turn, dispatcher):
            return []
        ref = turn.entity("order_ref")
        if ref:
            return await self.ask_reason(turn, dispatcher, ref.strip().upper())
        return await self._list(turn, dispatcher)

    async def _list(self, turn: Turn, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        provider = await self.providers.resolve(turn.text, turn.entity("provider"))
        try:
            answer = await orders_api.recent_orders(self.client, turn.token, provider, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            return self.say_refusal(dispatcher, turn, exc, None)
        orders = answer.get("orders") or []
        name = answer.get("provider")
        if not orders:
            say(dispatcher, turn, "cancel.none", provider=name)
            return remember(None)
        buttons = [order_button(turn.lang, order) for order in orders]
        say(dispatcher, turn, "cancel.choose", buttons=buttons, provider=name)
        return remember(None)


class ActionCancelOrderReason(CancelAction):
    """A reason was chosen: the summary again and "Cancel it with this reason?" (Confirm)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_order_reason"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Check the order again, then ask to confirm with the chosen reason."""
        if not ready(turn, dispatcher):
            return []
        ref = self.order_ref(turn, tracker)
        if not ref:
            say(dispatcher, turn, "cancel.press_confirm")
            return []
        order, events = await self.cancellable_order(turn, dispatcher, ref)
        if order is None:
            return events
        valid = {str(entry.get("key")) for entry in order.get("reasons") or []}
        reason = turn.entity(REASON_ENTITY)
        if reason not in valid:
            reason = typed_reason(order, turn.text) if not turn.text.startswith("/") else None
        if not reason:
            send(dispatcher, reasons_reply(turn.lang, order))
            return remember(order.get("ref"))
        send(dispatcher, confirm_reply(turn.lang, order, reason))
        return remember(order.get("ref"))
