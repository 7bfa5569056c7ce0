"""What every cancel action shares: which order a turn is about, and the common answers.

The order comes from the button (entity ``order_ref``), else from the order the
conversation is cancelling (slot ``cancel_order_ref``, set when the bot asks for a
reason). Every refusal of the platform gets its own answer: who may cancel orders
(``not_allowed``), an unknown order or another organization's (``forbidden``: one
answer for both), a delivered or unsupported one (``not_cancellable``).
"""

from __future__ import annotations

import unicodedata
from abc import ABC
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import orders_api
from actions.base import CatalogAction, say
from actions.cancel_render import Reply, reasons_reply, refusal_reply, who_can_text
from actions.refusals import allowed_names, refusal
from actions.status import say_unidentified
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnauthorized, PlatformUnavailable

ORDER_ENTITY = "order_ref"
REASON_ENTITY = "reason"
REQUEST_ENTITY = "request_id"
ORDER_SLOT = "cancel_order_ref"


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one reply (text and buttons)."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons)


def remember(ref: Any) -> list[dict[str, Any]]:
    """Remember (or forget, with ``None``) the order the conversation is cancelling."""
    return [SlotSet(ORDER_SLOT, str(ref) if ref else None)]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(char for char in decomposed if char.isalnum())


def typed_reason(order: dict[str, Any], text: str) -> str | None:
    """The key of the order's reason whose label (or key) the typed ``text`` contains."""
    said = _fold(text)
    if not said:
        return None
    for entry in order.get("reasons") or []:
        for name in (entry.get("label"), entry.get("key")):
            if name and _fold(str(name)) in said:
                return str(entry.get("key"))
    return None


class CancelAction(CatalogAction, ABC):
    """A cancel action: knows the turn's order and explains the platform's refusals."""

    def order_ref(self, turn: Turn, tracker: Tracker) -> str | None:
        """The order this turn is about: the button's or typed one, else the pending one."""
        value = turn.entity(ORDER_ENTITY) or tracker.get_slot(ORDER_SLOT)
        return str(value).strip().upper() if value else None

    def say_refusal(
        self, dispatcher: CollectingDispatcher, turn: Turn, exc: Exception, ref: str | None
    ) -> list[dict[str, Any]]:
        """Explain why the platform refused; forget the pending order when it is moot."""
        if isinstance(exc, PlatformUnavailable):
            say(dispatcher, turn, "platform.unavailable")
            return []
        code, detail = refusal(exc)
        if code == "not_allowed":
            names = allowed_names(detail)
            say(dispatcher, turn, "cancel.not_allowed", who=who_can_text(turn.lang, names))
        elif code == "forbidden":
            say(dispatcher, turn, "cancel.not_found", ref=ref or "")
        elif code == "not_cancellable" and isinstance(detail.get("order"), dict):
            send(dispatcher, refusal_reply(turn.lang, detail["order"]))
        elif code == "not_cancelled":
            say(dispatcher, turn, "cancel.not_cancelled", ref=ref or "")
            return []
        elif code == "unknown_provider":
            say(dispatcher, turn, "cancel.unknown_provider", value=detail.get("value") or "")
        elif isinstance(exc, PlatformUnauthorized) or code == "unauthorized":
            say_unidentified(dispatcher, turn)
        elif isinstance(exc, PlatformError):
            say(dispatcher, turn, "platform.error")
        return remember(None)

    async def cancellable_order(
        self, turn: Turn, dispatcher: CollectingDispatcher, ref: str
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The order ``ref`` when it can be cancelled; else ``None`` and the events after
        saying why not (the platform's refusal, or the order's: delivered, by phone…)."""
        try:
            order = await orders_api.order(self.client, turn.token, ref, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            return None, self.say_refusal(dispatcher, turn, exc, ref)
        if order.get("refusal"):
            send(dispatcher, refusal_reply(turn.lang, order))
            return None, remember(None)
        return order, []

    async def ask_reason(
        self, turn: Turn, dispatcher: CollectingDispatcher, ref: str
    ) -> list[dict[str, Any]]:
        """The order's summary and its provider's reasons, when it can be cancelled."""
        order, events = await self.cancellable_order(turn, dispatcher, ref)
        if order is None:
            return events
        send(dispatcher, reasons_reply(turn.lang, order))
        return remember(order.get("ref"))
