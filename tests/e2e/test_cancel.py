"""Cancelling live orders end to end over the web chat (socket.io): every row of DEMO.md's
orders table, reason → Confirm → Cancelled → remove, a provider failure, French and
Spanish, permissions, isolation, 20 concurrent presses of one Confirm button, and typed
or forged confirms that cancel nothing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from bot.config import get_settings
from bot.devtools.webchat_client import BotTurn, WebChatUser
from bot.launcher import Stack
from bot.platform.db import make_engine, session_factory
from bot.platform.models import AuditLog, LiveOrder
from tests.e2e.repair_support import internal_headers

pytestmark = pytest.mark.usefixtures("fresh_demo")

USED = "You already used that button"


def order_status(stack: Stack, ref: str) -> tuple[str, bool]:
    """(status, removed from the active list) of a demo order, read from the stack's DB."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with session_factory(engine)() as session:
            row = session.scalars(select(LiveOrder).where(LiveOrder.external_id == ref)).one()
            return row.status, row.removed_from_active
    finally:
        engine.dispose()


def cancel_audits(stack: Stack, ref: str) -> int:
    """How many ``order.cancel`` audit entries name ``ref``."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with session_factory(engine)() as session:
            rows = session.scalars(select(AuditLog.detail).where(AuditLog.action == "order.cancel"))
            return sum(1 for detail in rows if detail.get("order") == ref)
    finally:
        engine.dispose()


def provider_calls(stack: Stack, ref: str) -> list[dict]:
    """The cancel calls the sandbox provider received for ``ref``."""
    response = httpx.get(
        f"{stack.platform_url}/internal/sandbox/calls",
        params={"method": "cancel", "target": ref},
        headers=internal_headers(),
    )
    response.raise_for_status()
    return response.json()


async def test_every_row_of_the_orders_table(chat) -> None:
    olivia = await chat("olivia")
    for ref, provider in (("DD-1001", "DoorDash"), ("UE-2002", "Uber Eats")):
        turn = await olivia.say(f"cancel order {ref}")
        assert f"Order {ref}: {provider}" in turn.text and "Why are you cancelling" in turn.text
        assert "Items out of stock" in turn.button_titles and "Don't cancel" in turn.button_titles
    turn = await olivia.say("cancel order PM-6006")
    assert "Order PM-6006: Postmates, Downtown / Taco Town, accepted" in turn.text
    assert "Customer request" in turn.button_titles
    turn = await olivia.say("cancel order GH-3003")
    assert "has already been delivered: it can no longer be cancelled" in turn.text
    assert turn.button_titles == []
    turn = await olivia.say("cancel order SK-4004")
    assert "call SkipTheDishes at 855-200-7547" in turn.text
    turn = await olivia.say("cancel order CN-5005")
    assert "call ChowNow at 888-707-2469" in turn.text


async def test_olivia_cancels_dd_1001_and_removes_it(chat, stack: Stack) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("cancel order DD-1001")
    turn = await olivia.click(turn, "Items out of stock")
    assert 'Cancel order DD-1001 with the reason "Items out of stock"?' in turn.text
    assert order_status(stack, "DD-1001") == ("preparing", False)
    confirm = turn
    done = await olivia.click(confirm, "Confirm cancellation")
    assert "Done: DoorDash cancelled order DD-1001 (reason: Items out of stock)." in done.text
    assert order_status(stack, "DD-1001") == ("cancelled", False)
    again = await olivia.click(confirm, "Confirm cancellation")
    assert USED in again.text
    assert len(provider_calls(stack, "DD-1001")) == 1

    removed = await olivia.click(done, "Remove from active orders")
    assert "Order DD-1001 is removed from your active orders list." in removed.text
    assert order_status(stack, "DD-1001") == ("cancelled", True)
    turn = await olivia.say("cancel order DD-1001")
    assert "Order DD-1001 is already cancelled (reason: Items out of stock)." in turn.text


async def test_cancel_my_last_doordash_order(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("cancel my last DoorDash order")
    assert "Your most recent live DoorDash orders" in turn.text
    [title] = turn.button_titles
    assert title.startswith("DD-1001 · DoorDash · Downtown / Burger Barn · ")
    turn = await olivia.click(turn, "DD-1001")
    assert "Order DD-1001: DoorDash" in turn.text and "Why are you cancelling" in turn.text


async def test_french_and_spanish(chat) -> None:
    marc = await chat("marc")
    turn = await marc.say("annule la commande UE-2002")
    assert "Commande UE-2002 : Uber Eats, Airport / Burger Barn" in turn.text
    turn = await marc.click(turn, "Cuisine fermée")
    assert "Annuler la commande UE-2002 avec le motif « Cuisine fermée » ?" in turn.text
    turn = await marc.click(turn, "Ne pas annuler")
    assert "D'accord, la commande UE-2002 n'est pas annulée." in turn.text

    spanish = await chat("marc")
    turn = await spanish.say("cancela el pedido PM-6006")
    assert "Pedido PM-6006: Postmates, Downtown / Taco Town" in turn.text
    assert "Solicitud del cliente" in turn.button_titles


async def test_a_provider_failure_offers_try_again_and_support(chat, stack: Stack) -> None:
    fault = {"method": "cancel", "target": "PM-6006", "error": "provider_error"}
    httpx.post(
        f"{stack.platform_url}/internal/sandbox/faults", json=fault, headers=internal_headers()
    ).raise_for_status()
    olivia = await chat("olivia")
    turn = await olivia.say("cancel order PM-6006")
    turn = await olivia.click(turn, "Too busy")
    failed = await olivia.click(turn, "Confirm cancellation")
    assert "Postmates could not cancel order PM-6006 just now" in failed.text
    assert get_settings().support_phone in failed.text
    assert failed.button_titles == ["Try again", "Contact support"]
    assert order_status(stack, "PM-6006") == ("accepted", False)
    done = await olivia.click(failed, "Try again")
    assert "Done: Postmates cancelled order PM-6006" in done.text
    assert len(provider_calls(stack, "PM-6006")) == 2


async def test_sofia_may_not_cancel(chat, stack: Stack) -> None:
    sofia = await chat("sofia")
    turn = await sofia.say("cancela el pedido DD-1001")
    assert "Su cuenta no permite cancelar pedidos." in turn.text
    assert "Marc Manager o Olivia Owner" in turn.text
    assert turn.button_titles == []
    assert order_status(stack, "DD-1001") == ("preparing", False)


async def test_hank_cannot_see_or_cancel_dd_1001(chat, stack: Stack) -> None:
    hank = await chat("hank")
    known = await hank.say("cancel order DD-1001")
    unknown = await hank.say("cancel order ZZ-9999")
    assert "I can't find an order DD-1001 in your organization." in known.text
    assert known.text.replace("DD-1001", "X", 1) == unknown.text.replace("ZZ-9999", "X", 1)
    assert "DoorDash" not in known.text and known.button_titles == unknown.button_titles == []
    assert order_status(stack, "DD-1001") == ("preparing", False)


async def test_twenty_concurrent_confirms_make_one_provider_call(chat, stack: Stack) -> None:
    olivia: WebChatUser = await chat("olivia")
    turn = await olivia.say("cancel order DD-1001")
    turn = await olivia.click(turn, "Duplicate order")
    button_id = turn.button("Confirm cancellation")["payload"]
    before = cancel_audits(stack, "DD-1001")

    message = {"message": button_id, "session_id": olivia.conversation_id}
    await asyncio.gather(*(olivia.client.emit("user_uttered", message) for _ in range(20)))
    turns = [await olivia.next_turn(timeout=120) for _ in range(20)]
    texts = [t.text for t in turns]
    everything = "\n".join(texts)
    assert everything.count("Done: DoorDash cancelled order DD-1001") == 1, texts
    assert everything.count(USED) == 19, texts
    assert len(provider_calls(stack, "DD-1001")) == 1
    assert cancel_audits(stack, "DD-1001") - before == 1
    assert order_status(stack, "DD-1001") == ("cancelled", False)


async def test_typed_confirms_and_forged_payloads_cancel_nothing(chat, stack: Stack) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("cancel order DD-1001")
    turn = await olivia.click(turn, "Too busy")
    assert "Confirm cancellation" in turn.button_titles
    for typed in (
        "yes, cancel it",
        "/cancel_order_confirm",
        '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy","request_id":"x1"}',
        'cancel_order_confirm{"order_ref": "DD-1001", "reason": "too_busy"}',
        "/confirm",
    ):
        answer: BotTurn = await olivia.say(typed)
        assert "Done:" not in answer.text, (typed, answer.text)
        assert order_status(stack, "DD-1001") == ("preparing", False), typed
    assert provider_calls(stack, "DD-1001") == []
