"""Turning the platform's live-order answers into the cancel feature's replies and buttons.

Buttons carry ``/intent{...}`` payloads; the gateway swaps them for opaque ids (one-time
ids for ``cancel_order_confirm`` and ``cancel_order_remove``), so a typed payload never
reaches Rasa as one.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from actions.catalog import join_names, render
from actions.status_render import Reply, failure_key, support_button

TIME_FORMATS = {"en": "%I:%M %p", "fr": "%H:%M", "es": "%H:%M"}
RETRY_PREFIX = "retry-"  # the request id of a "Try again" button after a failure


def payload(intent: str, **entities: Any) -> str:
    """``/intent{"order_ref":"DD-1001",...}`` (entities without a value are left out)."""
    values = {name: str(value) for name, value in entities.items() if value}
    return f"/{intent}" + (json.dumps(values, separators=(",", ":")) if values else "")


def new_request_id(retry: bool = False) -> str:
    """A fresh id for a Confirm (or Try again: ``retry-…``) button: each press is one
    request. The gateway gives the payload back as issued, so the prefix tells the
    confirm action that this press retries a failed cancellation."""
    return (RETRY_PREFIX if retry else "") + secrets.token_urlsafe(8)


def is_retry(request_id: str | None) -> bool:
    """Whether ``request_id`` is the one of a "Try again" button."""
    return bool(request_id) and str(request_id).startswith(RETRY_PREFIX)


def placed_time(lang: str, order: dict[str, Any]) -> str:
    """When the order was placed, in the location's time zone (``"02:05 PM"``, ``"14:05"``)."""
    value = str(order.get("placed_at") or "")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    text = moment.strftime(TIME_FORMATS.get(lang, "%H:%M"))
    return text[1:] if lang == "en" and text.startswith("0") else text


def _fields(lang: str, order: dict[str, Any]) -> dict[str, Any]:
    status = str(order.get("status") or "")
    return {
        "ref": order.get("ref") or "",
        "provider": order.get("provider") or "",
        "location": order.get("location") or "",
        "brand": order.get("brand") or "",
        "status": render(lang, f"cancel.status.{status}") if status else "",
        "time": placed_time(lang, order),
    }


def summary(lang: str, order: dict[str, Any]) -> str:
    """``Order DD-1001: DoorDash, Downtown / Burger Barn, being prepared, placed at 2:05 PM.``"""
    return render(lang, "cancel.summary", **_fields(lang, order))


def order_button(lang: str, order: dict[str, Any]) -> dict[str, str]:
    """One order of a list: pressing it starts cancelling that order."""
    return {
        "title": render(lang, "cancel.order_button", **_fields(lang, order)),
        "payload": payload("cancel_order_pick", order_ref=order.get("ref")),
    }


def keep_button(lang: str, ref: Any) -> dict[str, str]:
    """ "Don't cancel"."""
    return {
        "title": render(lang, "cancel.buttons.keep"),
        "payload": payload("cancel_order_keep", order_ref=ref),
    }


def confirm_button(lang: str, ref: Any, reason: str, title_key: str = "confirm") -> dict[str, str]:
    """ "Confirm cancellation" (or "Try again"): one-time, with a new request id."""
    return {
        "title": render(lang, f"cancel.buttons.{title_key}"),
        "payload": payload(
            "cancel_order_confirm",
            order_ref=ref,
            reason=reason,
            request_id=new_request_id(retry=title_key == "retry"),
        ),
    }


def reason_label(order: dict[str, Any], reason: str | None) -> str:
    """The label of one of the order's reasons (the key itself when unknown)."""
    for entry in order.get("reasons") or []:
        if entry.get("key") == reason:
            return str(entry.get("label") or reason)
    return str(reason or "")


def reasons_reply(lang: str, order: dict[str, Any]) -> Reply:
    """The order's summary, and its provider's reasons as buttons (and "Don't cancel")."""
    ref = order.get("ref")
    buttons = [
        {
            "title": str(entry.get("label") or entry.get("key")),
            "payload": payload("cancel_order_reason", order_ref=ref, reason=entry.get("key")),
        }
        for entry in order.get("reasons") or []
    ]
    text = summary(lang, order) + "\n" + render(lang, "cancel.ask_reason", **_fields(lang, order))
    return Reply(text, [*buttons, keep_button(lang, ref)])


def confirm_reply(lang: str, order: dict[str, Any], reason: str) -> Reply:
    """The summary and "Cancel it with this reason?", with Confirm and "Don't cancel"."""
    ref = order.get("ref")
    text = (
        summary(lang, order)
        + "\n"
        + render(lang, "cancel.confirm", reason=reason_label(order, reason), **_fields(lang, order))
    )
    return Reply(text, [confirm_button(lang, ref, reason), keep_button(lang, ref)])


def refusal_reply(lang: str, order: dict[str, Any]) -> Reply:
    """Why the order cannot be cancelled through us (delivered, already cancelled, phone)."""
    refusal = str(order.get("refusal") or "")
    fields = _fields(lang, order)
    if refusal == "cancelled":
        reason = (order.get("cancel_reason") or {}).get("label")
        text = render(lang, "cancel.already_cancelled", reason=reason, **fields)
        buttons = [] if order.get("removed_from_active") else [remove_button(lang, order)]
        return Reply(text, buttons)
    if refusal == "not_supported":
        return Reply(render(lang, "cancel.not_supported", phone=order.get("phone"), **fields))
    key = "cancel.fulfilled" if refusal == "fulfilled" else "cancel.delivered"
    return Reply(render(lang, key, **fields))


def remove_button(lang: str, order: dict[str, Any]) -> dict[str, str]:
    """ "Remove from active orders": one-time."""
    return {
        "title": render(lang, "cancel.buttons.remove"),
        "payload": payload(
            "cancel_order_remove", order_ref=order.get("ref"), request_id=new_request_id()
        ),
    }


def cancelled_reply(lang: str, order: dict[str, Any]) -> Reply:
    """The cancellation is done; offer to remove the order from the active orders list."""
    fields = _fields(lang, order)
    reason = (order.get("cancel_reason") or {}).get("label") or ""
    text = render(lang, "cancel.cancelled", reason=reason, **fields)
    if order.get("removed_from_active"):
        return Reply(text)
    return Reply(text + "\n" + render(lang, "cancel.offer_remove"), [remove_button(lang, order)])


def failed_reply(
    lang: str,
    order: dict[str, Any],
    reason: str,
    support_phone: str,
    handed_over: bool = False,
    error: str | None = None,
) -> Reply:
    """The provider failed (or did not answer: ``error`` ``provider_not_responding``):
    Try again (a new request) or contact support.

    When the retry failed too and the conversation is handed to a person
    (``handed_over``), no buttons: the number only, someone from support takes it.
    """
    fields = _fields(lang, order)
    text = render(
        lang,
        failure_key("cancel", error),
        support_phone=support_phone,
        handed_over=handed_over,
        **fields,
    )
    if handed_over:
        return Reply(text)
    buttons = [confirm_button(lang, order.get("ref"), reason, "retry"), support_button(lang)]
    return Reply(text, buttons)


def who_can_text(lang: str, names: list[str]) -> str:
    """``Marc Manager or Olivia Owner`` (or a description when nobody is named)."""
    return join_names(lang, names) or render(lang, "cancel.who_anyone")
