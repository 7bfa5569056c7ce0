"""dispatch: "why wasn't order F-7002 sent to OTO?".

The platform checks the OTO guide's conditions (branch active, delivery order, customer
with a delivery address, marked Ready — after the kitchen —, no cashier still on it,
the integration set up) and answers each failing one with its fix, in the asked
language. Everyone in the organization may ask; an order of another organization gets
the same answer as an unknown one. A fix the bot can make itself gets a button: an
inactive branch ("Activate OTO at Airport") or OTO not set up ("Set up OTO").
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import render
from actions.status import ready
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnauthorized, PlatformUnavailable

ORDER_ENTITY = "order_ref"
DIAGNOSIS_PATH = "/api/v1/dispatch/orders/{ref}/diagnosis"
_ORDER_IN_TEXT = re.compile(r"\b([A-Za-z]{1,3}-\d{3,6})\b")


def order_of(turn: Turn) -> str | None:
    """The order reference the message names (entity, else found in the text), upper-cased."""
    value = turn.entity(ORDER_ENTITY)
    if not value:
        found = _ORDER_IN_TEXT.search(turn.text or "")
        value = found.group(1) if found else None
    return value.strip().upper() if value else None


def _payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"), ensure_ascii=False)


def fix_buttons(lang: str, diagnosis: dict[str, Any], may_manage: bool) -> list[dict[str, str]]:
    """Buttons for the fixes the bot can make itself (for users who may make them)."""
    if not may_manage:
        return []
    codes = [str(reason.get("code")) for reason in diagnosis.get("reasons") or []]
    branch = str(diagnosis.get("branch") or "")
    buttons: list[dict[str, str]] = []
    if "integration_not_set_up" in codes:
        buttons.append(
            {"title": render(lang, "dispatch.button_setup"), "payload": _payload("oto_setup")}
        )
    if "branch_inactive" in codes and branch:
        buttons.append(
            {
                "title": render(lang, "dispatch.button_activate", branch=branch),
                "payload": _payload("oto_branch_activate", location=branch),
            }
        )
    return buttons


def render_diagnosis(lang: str, diagnosis: dict[str, Any]) -> str:
    """The answer: sent, or each failing condition with its fix."""
    order, branch = diagnosis.get("order") or "", diagnosis.get("branch") or ""
    if diagnosis.get("sent"):
        return render(lang, "dispatch.sent", order=order, branch=branch)
    reasons = diagnosis.get("reasons") or []
    if not reasons:
        return render(lang, "dispatch.all_met", order=order, branch=branch)
    return render(
        lang,
        "dispatch.not_sent",
        order=order,
        branch=branch,
        reasons=[
            render(lang, "dispatch.reason", problem=r.get("problem") or "", fix=r.get("fix") or "")
            for r in reasons
        ],
    )


class ActionDispatchWhy(CatalogAction):
    """Why an order was (not) sent to OTO, and how to fix each failing condition."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_dispatch_why"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Ask the platform for the order's diagnosis and say it."""
        if not ready(turn, dispatcher):
            return []
        order = order_of(turn)
        if not order:
            say(dispatcher, turn, "dispatch.ask_order")
            return []
        path = DIAGNOSIS_PATH.format(ref=quote(order, safe=""))
        try:
            diagnosis = await self.client.get(path, turn.token, {"lang": turn.lang})
        except PlatformError as exc:  # a GET's 403 arrives as PlatformUnauthorized: by code
            if exc.code == "forbidden":
                say(dispatcher, turn, "dispatch.not_found", order=order)
            elif isinstance(exc, PlatformUnauthorized):
                say(dispatcher, turn, "identity.unknown")
            else:
                say(dispatcher, turn, "platform.error")
            return []
        except PlatformUnavailable:
            say(dispatcher, turn, "platform.unavailable")
            return []
        permissions = (turn.profile or {}).get("permissions") or {}
        buttons = fix_buttons(turn.lang, diagnosis, bool(permissions.get("manage_integrations")))
        dispatcher.utter_message(text=render_diagnosis(turn.lang, diagnosis), buttons=buttons)
        return []
