"""Actions that end needing support hand the conversation to a person (issue 7, reason
``action_failed``): an activation error, a cancellation whose Try again fails too, a
reconnection locked after too many wrong codes.

The user reads the failure (our number, no "Contact support" button: a person is
coming), "I'm passing this to a person…" and the support queue; the action pauses the
conversation. When the handoff cannot be opened the old button stays (see also
test_actions_repair*.py, whose stand-in opens no handoff).

Activation and cancellation run against the real platform app on the demo data
(provider faults from the sandbox); the lock runs against the platform stand-in, with a
small helper below answering ``POST /api/v1/handoffs``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.activation import (
    ActionActivateIntegration,
    ActionActivationConfirm,
    ActionActivationSelect,
)
from actions.cancel import ActionCancelOrder, ActionCancelOrderReason
from actions.cancel_confirm import ActionCancelOrderConfirm
from actions.repair import ActionRepairReconnect
from actions.repair_pairing import ActionRepairPairingUpdate
from bot.config import get_settings
from bot.platform.models import StoreLink
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.platform_inprocess import INTERNAL, InProcessPlatform, pressed, run_action
from tests.unit.platform_inprocess import find_button as button
from tests.unit.test_actions_support_handoff import (
    MARC,
    OLIVIA,
    PAUSE,
    handoffs,
    hours_around_now,
    platform_with_hours,
    put_online,
)
from tests.unit.trackers import entity, external_tracker, tracker

PHONE = get_settings().support_phone
LEAD_IN = {
    "en": "I'm passing this to a person from our support team.",
    "fr": "Je transmets votre demande à une personne de notre équipe support.",
}
NOBODY_ONLINE = "Nobody from our support team is online right now."
A_PERSON = "I've asked a person from our support team to take over this conversation"
SUPPORT_BUTTON = {"title": "Contact support", "payload": "/contact_support"}
Messages = list[dict[str, Any]]


async def fault(platform: InProcessPlatform, method: str, target: str, error: str) -> None:
    """Make the sandbox provider's next ``method`` call on ``target`` fail."""
    body = {"method": method, "target": target, "error": error}
    queued = await platform.http.post("/internal/sandbox/faults", json=body, headers=INTERNAL)
    assert queued.status_code == 201, queued.text


async def press(
    platform: InProcessPlatform, action: Any, email: str, pushed: dict[str, str]
) -> tuple[Messages, list[dict[str, Any]]]:
    intent, entities = pressed(pushed)
    token = platform.token(email)
    return await run_action(action(platform.client), token, pushed["payload"], intent, entities)


def link_id(platform: InProcessPlatform, account_id: str) -> int:
    statement = select(StoreLink.id).where(StoreLink.account_id == account_id)
    return platform.query(lambda s: s.scalars(statement.order_by(StoreLink.id)).first())


# --- activation ------------------------------------------------------------------


async def activate_riverside(platform: InProcessPlatform) -> tuple[Messages, list[dict]]:
    """Olivia asks to activate DoorDash, picks Riverside and presses Confirm."""
    await fault(platform, "activate", str(link_id(platform, "dd-river")), "activation_failed")
    text = "Please help me activate my DoorDash integration"
    found = [entity("provider", "DoorDash", text)]
    token = platform.token(OLIVIA)
    action = ActionActivateIntegration(platform.client)
    choice, _ = await run_action(action, token, text, "activate_integration", found)
    warning, _ = await press(platform, ActionActivationSelect, OLIVIA, choice[0]["buttons"][0])
    return await press(platform, ActionActivationConfirm, OLIVIA, button(warning, "Confirm"))


async def test_an_activation_error_hands_over_to_a_person(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        await put_online(platform, "sam@support.test")
        messages, events = await activate_riverside(platform)
        rows = handoffs(platform)
    assert [m["text"] for m in messages] == [
        "DoorDash reported an error while activating Riverside / Taco Town, so it isn't "
        "active yet. Our support team can finish the activation with you: "
        f"text {PHONE}.",
        LEAD_IN["en"],
        "I've asked a person from our support team to take over this conversation: they'll "
        "answer here shortly, and I'll stay quiet until then. "
        'Say "cancel" if you\'d rather come back to me.',
    ]  # the number once: the failure gives it
    assert [m["buttons"] for m in messages] == [[], [], []]
    assert PAUSE in events
    [row] = rows
    assert (row["reason"], row["state"], row["language"]) == ("action_failed", "waiting", "en")
    # The agent reads the failure the user just read.
    assert "DoorDash reported an error while activating Riverside" in row["packet"]


async def test_an_activation_error_with_nobody_online_offers_the_text_back(
    demo_db_url,
) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        messages, events = await activate_riverside(platform)
    failed, lead_in, queue = messages
    assert failed["buttons"] == [] and PHONE in failed["text"]
    assert lead_in["text"] == LEAD_IN["en"]
    assert queue["text"].startswith(NOBODY_ONLINE)
    assert "text you at •••• 0001" in queue["text"]
    assert [b["payload"] for b in queue["buttons"]] == ["/handoff_callback", "/handoff_wait"]
    assert PAUSE in events


# --- cancellation ----------------------------------------------------------------


async def cancel_ue_2002(platform: InProcessPlatform, email: str) -> dict[str, str]:
    """``email`` asks to cancel UE-2002 with "too busy": the Confirm button."""
    text = "annule la commande UE-2002"
    token = platform.token(email)
    found = [entity("order_ref", "UE-2002", text)]
    first, _ = await run_action(
        ActionCancelOrder(platform.client), token, text, "cancel_order", found
    )
    too_busy = next(b for b in first[0]["buttons"] if "too_busy" in b["payload"])
    confirm, _ = await press(platform, ActionCancelOrderReason, email, too_busy)
    return next(b for m in confirm for b in m["buttons"] if "request_id" in b["payload"])


async def test_a_failed_try_again_hands_the_cancellation_over(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        await put_online(platform, "ana@support.test")
        for _ in range(2):
            await fault(platform, "cancel", "UE-2002", "provider_error")
        confirm = await cancel_ue_2002(platform, MARC)

        first, events = await press(platform, ActionCancelOrderConfirm, MARC, confirm)
        assert [m["text"] for m in first] == [
            "Uber Eats n'a pas pu annuler la commande UE-2002 pour le moment, et rien n'a été "
            "modifié. Vous pouvez réessayer, ou contacter notre équipe d'assistance : envoyez "
            f"un SMS au {PHONE}."
        ]  # the first failure: Try again and the support button, as before
        assert [b["title"] for b in first[0]["buttons"]] == ["Réessayer", "Contacter le support"]
        assert PAUSE not in events and handoffs(platform) == []

        retry = button(first, "Réessayer")
        again, events = await press(platform, ActionCancelOrderConfirm, MARC, retry)
        rows = handoffs(platform)
    assert [m["text"] for m in again] == [
        "Uber Eats n'a pas pu annuler la commande UE-2002 pour le moment, et rien n'a été "
        "modifié. Notre équipe d'assistance peut l'annuler pour vous : envoyez un SMS au "
        f"{PHONE}.",
        LEAD_IN["fr"],
        "J'ai demandé à une personne de notre équipe support de reprendre cette conversation : "
        "elle vous répondra ici sous peu, et je reste silencieux d'ici là. "
        "Dites « annuler » si vous préférez revenir vers moi.",
    ]
    assert [m["buttons"] for m in again] == [[], [], []]
    assert {"event": "slot", "timestamp": None, "name": "cancel_order_ref", "value": "UE-2002"} in (
        events
    )  # the order the conversation was cancelling, remembered as before
    assert PAUSE in events
    assert [(r["reason"], r["state"], r["language"]) for r in rows] == [
        ("action_failed", "waiting", "fr")
    ]


# --- the lock after too many wrong codes (platform stand-in) -----------------------


class HandoffStandIn(PlatformStandIn):
    """The stand-in, and a handoff queue: ``POST /api/v1/handoffs`` answers ``answer``
    (nobody online by default) and keeps the bodies it was sent."""

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.opened: list[dict[str, Any]] = []
        self.answer = answer or {
            "id": 1,
            "state": "waiting",
            "availability": {"open": True, "agents_online": 0, "next_open_at": None},
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer the handoff; anything else as the stand-in does."""
        if request.url.path == "/api/v1/handoffs" and request.method == "POST":
            self.requests.append(request)
            self.opened.append(json.loads(request.content))
            return httpx.Response(201, json=self.answer)
        return super().handle(request)


async def lock_pairing(platform: PlatformStandIn) -> None:
    """Olivia's DoorDash pairing, locked after the fifth wrong code."""
    reconnect = "/repair_reconnect" + json.dumps({"account_id": "dd-main"})
    found = [{"entity": "account_id", "value": "dd-main"}]
    shape = tracker(reconnect, "repair_reconnect", "tok-olivia", found, {"account_id": "dd-main"})
    await ActionRepairReconnect(platform.client()).run(CollectingDispatcher(), shape, {})
    platform.page("tok-olivia", "locked", attempts_left=0, locked_until="2999-01-01T00:00:00Z")


async def pairing_update(platform: PlatformStandIn, shape: Tracker) -> tuple[Messages, list]:
    dispatcher = CollectingDispatcher()
    events = await ActionRepairPairingUpdate(platform.client()).run(dispatcher, shape, {})
    return dispatcher.messages, events


async def test_the_fifth_wrong_code_hands_over_to_a_person() -> None:
    platform = HandoffStandIn()
    await lock_pairing(platform)
    shape = external_tracker(
        "repair_pairing_update", "tok-olivia", {"pairing_event": "code_submitted"}
    )
    messages, events = await pairing_update(platform, shape)
    locked, lead_in, queue, phone = messages
    assert locked["text"].startswith(
        "Reconnecting DoorDash — main is locked after too many wrong codes, for "
    )
    assert locked["buttons"] == []
    assert lead_in["text"] == LEAD_IN["en"]
    assert queue["text"].startswith(NOBODY_ONLINE) and queue["buttons"] == []
    assert phone["text"] == f"You can also text our support team at {PHONE}."  # not said yet
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"repair_account": "dd-main", "repair_step": "reconnect"}
    assert events[-1] == PAUSE
    [opened] = platform.opened
    assert (opened["reason"], opened["language"]) == ("action_failed", "en")
    assert opened["transcript"][-1]["text"] == locked["text"]


async def test_asking_to_reconnect_while_locked_hands_over_in_french() -> None:
    platform = HandoffStandIn()
    platform.locked_until["dd-main"] = "2999-01-01T00:00:00Z"
    reconnect = "/repair_reconnect" + json.dumps({"account_id": "dd-main"})
    shape = tracker(
        reconnect,
        "repair_reconnect",
        "tok-olivia",
        [{"entity": "account_id", "value": "dd-main"}],
        {"account_id": "dd-main", "conversation_language": "fr"},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionRepairReconnect(platform.client()).run(dispatcher, shape, {})
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0].startswith("La reconnexion de DoorDash — main est bloquée")
    assert dispatcher.messages[0]["buttons"] == []
    assert texts[1] == LEAD_IN["fr"]
    assert texts[2].startswith("Personne de notre équipe support n'est en ligne")
    assert PAUSE in events
    assert [o["reason"] for o in platform.opened] == ["action_failed"]


async def test_a_form_under_way_is_deactivated_before_the_pause() -> None:
    platform = HandoffStandIn()
    await lock_pairing(platform)
    shape = external_tracker(
        "repair_pairing_update", "tok-olivia", {"pairing_event": "code_submitted"}
    )
    shape.active_loop = {"name": "some_form"}
    _, events = await pairing_update(platform, shape)
    kinds = [(e["event"], e.get("name")) for e in events]
    start = kinds.index(("active_loop", None))
    assert kinds[start : start + 3] == [
        ("active_loop", None),
        ("slot", "requested_slot"),
        ("pause", None),
    ]


async def test_an_open_queue_is_said_without_the_text_back_offer() -> None:
    platform = HandoffStandIn(
        {"id": 1, "availability": {"open": True, "agents_online": 2, "next_open_at": None}}
    )
    await lock_pairing(platform)
    shape = external_tracker(
        "repair_pairing_update", "tok-olivia", {"pairing_event": "code_submitted"}
    )
    messages, events = await pairing_update(platform, shape)
    assert messages[2]["text"].startswith(A_PERSON) and messages[2]["buttons"] == []
    assert PAUSE in events
