"""Cancel actions against the real platform app (in process, demo data): every row of
DEMO.md's orders table, reasons, Confirm, a provider failure, removal, permissions,
isolation and forged confirms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from rasa_sdk import Action
from sqlalchemy import select

from actions.cancel import ActionCancelOrder, ActionCancelOrderReason
from actions.cancel_confirm import (
    ActionCancelOrderConfirm,
    ActionCancelOrderKeep,
    ActionCancelOrderRemove,
)
from bot.config import get_settings
from bot.platform.models import LiveOrder
from tests.unit.platform_inprocess import (
    INTERNAL,
    InProcessPlatform,
    open_platform,
    pressed,
    run_action,
)
from tests.unit.trackers import entity, payload_json

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
ACTIONS = {
    "cancel_order": ActionCancelOrder,
    "cancel_order_pick": ActionCancelOrder,
    "cancel_order_reason": ActionCancelOrderReason,
    "cancel_order_confirm": ActionCancelOrderConfirm,
    "cancel_order_keep": ActionCancelOrderKeep,
    "cancel_order_remove": ActionCancelOrderRemove,
}


@dataclass
class Turn:
    """What the user saw and the events the action returned."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def button(self, title: str) -> dict[str, str]:
        return next(b for b in self.buttons if title in b["title"])


class Platform(InProcessPlatform):
    """The platform app on a demo database, its orders, and a conversation with it."""

    def order(self, ref: str) -> tuple[str, str | None, bool]:
        def read(session):
            row = session.scalars(select(LiveOrder).where(LiveOrder.external_id == ref)).one()
            return row.status, row.cancel_reason, row.removed_from_active

        return self.query(read)

    async def say(
        self,
        email: str,
        text: str,
        intent: str,
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
    ) -> Turn:
        action: Action = ACTIONS[intent](self.client)
        found = list(entities or [])
        for ref in ("DD-1001", "UE-2002", "GH-3003", "PM-6006", "SK-4004", "CN-5005", "ZZ-9999"):
            if ref in text and not text.startswith("/"):
                found.append(entity("order_ref", ref, text))
        return Turn(*await run_action(action, self.token(email), text, intent, found, slots))

    async def press(
        self, email: str, button: dict[str, str], slots: dict[str, Any] | None = None
    ) -> Turn:
        intent, entities = pressed(button)
        return await self.say(email, button["payload"], intent, entities, slots)


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[Platform]:
    async with open_platform(demo_db_url, Platform) as real:
        yield real


def slot_value(turn: Turn, name: str) -> Any:
    values = [e["value"] for e in turn.events if e.get("event") == "slot" and e["name"] == name]
    return values[-1] if values else "unset"


async def test_every_row_of_the_orders_table(platform: Platform) -> None:
    for ref in ("DD-1001", "UE-2002", "PM-6006"):
        turn = await platform.say(OLIVIA, f"cancel order {ref}", "cancel_order")
        assert f"Order {ref}: " in turn.text and "placed at " in turn.text
        assert "Why are you cancelling it?" in turn.text
        titles = [b["title"] for b in turn.buttons]
        assert titles[:3] == ["Customer request", "Items out of stock", "Duplicate order"]
        assert titles[-1] == "Don't cancel"
        assert slot_value(turn, "cancel_order_ref") == ref
    turn = await platform.say(OLIVIA, "cancel order DD-1001", "cancel_order")
    assert turn.text.startswith(
        "Order DD-1001: DoorDash, Downtown / Burger Barn, being prepared, placed at "
    )
    gh = await platform.say(OLIVIA, "cancel order GH-3003", "cancel_order")
    assert gh.text == (
        "Order GH-3003 (Grubhub, Airport / Burger Barn) has already been delivered: it can no "
        "longer be cancelled."
    )
    assert gh.buttons == []
    sk = await platform.say(OLIVIA, "cancel order SK-4004", "cancel_order")
    assert "call SkipTheDishes at 855-200-7547" in sk.text and sk.buttons == []
    cn = await platform.say(OLIVIA, "cancel order CN-5005", "cancel_order")
    assert cn.text.startswith("ChowNow orders can't be cancelled through us.")
    assert "call ChowNow at 888-707-2469" in cn.text
    assert all(platform.order(ref)[0] != "cancelled" for ref in ("SK-4004", "CN-5005"))


async def test_reason_confirm_cancel_and_remove(platform: Platform) -> None:
    first = await platform.say(OLIVIA, "cancel order DD-1001", "cancel_order")
    confirm = await platform.press(OLIVIA, first.button("Items out of stock"))
    assert 'Cancel order DD-1001 with the reason "Items out of stock"?' in confirm.text
    assert confirm.text.startswith("Order DD-1001: DoorDash, Downtown / Burger Barn")
    button = confirm.button("Confirm cancellation")
    assert set(payload_json(button)) == {"order_ref", "reason", "request_id"}
    assert platform.order("DD-1001")[0] == "preparing"  # nothing before Confirm

    done = await platform.press(OLIVIA, button)
    assert done.text.startswith(
        "Done: DoorDash cancelled order DD-1001 (reason: Items out of stock). "
        "It is now marked Cancelled."
    )
    assert "remove it from the active orders list?" in done.text
    assert platform.order("DD-1001") == ("cancelled", "out_of_stock", False)
    assert len(platform.audit("order.cancel")) == 1

    removed = await platform.press(OLIVIA, done.button("Remove from active orders"))
    assert removed.text == "Order DD-1001 is removed from your active orders list."
    assert platform.order("DD-1001") == ("cancelled", "out_of_stock", True)

    again = await platform.say(OLIVIA, "cancel order DD-1001", "cancel_order")
    assert again.text == "Order DD-1001 is already cancelled (reason: Items out of stock)."
    assert again.buttons == []


async def test_french_and_spanish(platform: Platform) -> None:
    fr = await platform.say(MARC, "annule la commande UE-2002", "cancel_order")
    assert fr.text.startswith("Commande UE-2002 : Uber Eats, Airport / Burger Barn, prête")
    assert "Pourquoi l'annulez-vous ?" in fr.text
    assert [b["title"] for b in fr.buttons][-2:] == ["Autre raison", "Ne pas annuler"]
    es = await platform.say(MARC, "cancela el pedido PM-6006 por favor", "cancel_order")
    assert es.text.startswith("Pedido PM-6006: Postmates, Downtown / Taco Town, aceptado")
    assert slot_value(es, "conversation_language") == "es"  # Marc's profile says fr
    confirm = await platform.press(
        MARC, es.button("Cocina cerrada"), {"conversation_language": "es"}
    )
    assert "¿Cancelar el pedido PM-6006 con el motivo «Cocina cerrada»?" in confirm.text


async def test_a_provider_failure_offers_try_again_and_support(platform: Platform) -> None:
    fault = {"method": "cancel", "target": "UE-2002", "error": "provider_error"}
    headers = INTERNAL
    queued = await platform.http.post("/internal/sandbox/faults", json=fault, headers=headers)
    assert queued.status_code == 201
    first = await platform.say(OLIVIA, "cancel order UE-2002", "cancel_order")
    confirm = await platform.press(OLIVIA, first.button("Too busy"))
    button = confirm.button("Confirm cancellation")
    failed = await platform.press(OLIVIA, button)
    assert failed.text == (
        "Uber Eats could not cancel order UE-2002 just now, and nothing was changed. You can "
        f"try again, or contact our support team: text {get_settings().support_phone}."
    )
    assert [b["title"] for b in failed.buttons] == ["Try again", "Contact support"]
    retry = failed.button("Try again")
    assert payload_json(retry)["request_id"] != payload_json(button)["request_id"]
    assert platform.order("UE-2002")[0] == "ready"
    done = await platform.press(OLIVIA, retry)
    assert done.text.startswith("Done: Uber Eats cancelled order UE-2002 (reason: Too busy).")
    assert platform.order("UE-2002")[:2] == ("cancelled", "too_busy")


async def test_a_provider_not_responding_is_said_in_each_language(demo_db_url) -> None:
    slow = {"provider_timeout_seconds": 0.3, "sandbox_hang_seconds": 1.0}
    async with open_platform(demo_db_url, Platform, **slow) as platform:
        said = {}
        for lang, email, ref, text, reason in (
            ("en", OLIVIA, "UE-2002", "cancel order UE-2002", "Too busy"),
            ("fr", MARC, "PM-6006", "annule la commande PM-6006", "Cuisine fermée"),
            ("es", MARC, "DD-1001", "cancela el pedido DD-1001", "Cocina cerrada"),
        ):
            fault = {"method": "cancel", "target": ref, "error": "hang"}
            queued = await platform.http.post(
                "/internal/sandbox/faults", json=fault, headers=INTERNAL
            )
            assert queued.status_code == 201
            slots = {"conversation_language": lang}
            first = await platform.say(email, text, "cancel_order", slots=slots)
            confirm = await platform.press(email, first.button(reason), slots)
            button = next(b for b in confirm.buttons if "request_id" in b["payload"])
            failed = await platform.press(email, button, slots)
            said[lang] = failed.text.split(". ")[0]
            assert len(failed.buttons) == 2, failed.buttons  # Try again, Contact support
            assert platform.order(ref)[0] != "cancelled"
        assert said == {
            "en": "Uber Eats isn't responding right now, so order UE-2002 was not cancelled and"
            " nothing was changed",
            "fr": "Postmates ne répond pas pour le moment : la commande PM-6006 n'a pas été"
            " annulée et rien n'a été modifié",
            "es": "DoorDash no responde en este momento, así que el pedido DD-1001 no se ha"
            " cancelado y no se ha cambiado nada",
        }
        await asyncio.sleep(1.0)  # the hung provider calls end before the database goes


async def test_cancel_my_last_doordash_order_lists_buttons(platform: Platform) -> None:
    text = "cancel my last DoorDash order"
    turn = await platform.say(OLIVIA, text, "cancel_order", [entity("provider", "DoorDash", text)])
    assert turn.text == "Which order do you want to cancel? Your most recent live DoorDash orders:"
    [button] = turn.buttons
    assert button["title"].startswith("DD-1001 · DoorDash · Downtown / Burger Barn · ")
    picked = await platform.press(OLIVIA, button)
    assert "Why are you cancelling it?" in picked.text
    everything = await platform.say(OLIVIA, "I want to cancel a live order", "cancel_order")
    assert [b["title"][:7] for b in everything.buttons] == [
        "PM-6006", "CN-5005", "DD-1001", "SK-4004", "UE-2002",
    ]  # fmt: skip
    text = "cancel my last Grubhub order"
    none = await platform.say(OLIVIA, text, "cancel_order", [entity("provider", "Grubhub", text)])
    assert none.text == "You have no live Grubhub orders that could be cancelled right now."


async def test_sofia_may_not_cancel_and_is_told_who_can(platform: Platform) -> None:
    turn = await platform.say(SOFIA, "cancela el pedido DD-1001", "cancel_order")
    assert turn.text == (
        "Su cuenta no permite cancelar pedidos. Marc Manager o Olivia Owner puede hacerlo por "
        "usted."
    )
    button = {
        "payload": '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy",'
        '"request_id":"x1"}'
    }
    forged = await platform.press(SOFIA, button)
    assert "Marc Manager o Olivia Owner" in forged.text
    assert platform.order("DD-1001")[0] == "preparing"


async def test_hank_gets_the_unknown_order_answer_for_dd_1001(platform: Platform) -> None:
    known = await platform.say(HANK, "cancel order DD-1001", "cancel_order")
    unknown = await platform.say(HANK, "cancel order ZZ-9999", "cancel_order")
    assert known.text.replace("DD-1001", "X", 1) == unknown.text.replace("ZZ-9999", "X", 1)
    assert known.text.startswith("I can't find an order DD-1001 in your organization.")
    button = {
        "payload": '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy",'
        '"request_id":"x1"}'
    }
    forged = await platform.press(HANK, button)
    assert forged.text == known.text
    assert platform.order("DD-1001")[0] == "preparing"


async def test_typed_or_forged_confirms_cancel_nothing(platform: Platform) -> None:
    typed = await platform.say(
        OLIVIA, "yes, cancel it", "cancel_order_confirm", slots={"cancel_order_ref": "DD-1001"}
    )
    assert typed.text.startswith("I only cancel an order when you press the Confirm button")
    forged_text = 'cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy","request_id":"x"}'
    entities = [
        {"entity": "order_ref", "value": "DD-1001"},
        {"entity": "reason", "value": "too_busy"},
        {"entity": "request_id", "value": "x"},
    ]
    forged = await platform.say(OLIVIA, forged_text, "cancel_order_confirm", entities)
    assert forged.text.startswith("I only cancel an order when you press the Confirm button")
    assert platform.order("DD-1001")[0] == "preparing"
    assert platform.audit("order.cancel") == []


async def test_dont_cancel_keeps_the_order(platform: Platform) -> None:
    first = await platform.say(OLIVIA, "cancel order PM-6006", "cancel_order")
    kept = await platform.press(OLIVIA, first.button("Don't cancel"))
    assert kept.text == "OK, order PM-6006 is not cancelled."
    assert slot_value(kept, "cancel_order_ref") is None
    typed = await platform.say(OLIVIA, "keep the order", "cancel_order_keep")
    assert typed.text == "OK, nothing was cancelled."
    assert platform.order("PM-6006")[0] == "accepted"


async def test_a_typed_reason_after_the_question(platform: Platform) -> None:
    turn = await platform.say(
        OLIVIA,
        "because it's a duplicate order",
        "cancel_order_reason",
        slots={"cancel_order_ref": "PM-6006"},
    )
    assert 'Cancel order PM-6006 with the reason "Duplicate order"?' in turn.text
    assert payload_json(turn.button("Confirm cancellation"))["reason"] == "duplicate_order"
