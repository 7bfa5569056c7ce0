"""Activation actions against the real platform app (in process, demo data): the list of
locations, the warning, Confirm, a provider error, permissions and forged buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from actions.activation import (
    ActionActivateIntegration,
    ActionActivationAbort,
    ActionActivationConfirm,
    ActionActivationSelect,
)
from actions.base import CatalogAction
from bot.config import get_settings
from bot.platform.models import StoreLink
from tests.integration.records import sandbox_calls
from tests.unit.platform_inprocess import (
    INTERNAL,
    InProcessPlatform,
    Messages,
    open_platform,
    pressed,
    run_action,
)
from tests.unit.platform_inprocess import find_button as button
from tests.unit.trackers import entity, payload_json


class Platform(InProcessPlatform):
    """The platform app on a demo database, with its store links."""

    def link_id(self, account_id: str) -> int:
        statement = select(StoreLink.id).where(StoreLink.account_id == account_id)
        return self.query(lambda s: s.scalars(statement.order_by(StoreLink.id)).first())

    def link_state(self, link_id: int) -> tuple[str, bool]:
        def read(session):
            link = session.get(StoreLink, link_id)
            return link.state, link.activated

        return self.query(read)


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[Platform]:
    async with open_platform(demo_db_url, Platform) as real:
        yield real


async def run(
    platform: Platform,
    action: type[CatalogAction],
    email: str,
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    lang: str | None = None,
) -> Messages:
    slots = {"conversation_language": lang} if lang else {}
    token = platform.token(email)
    messages, _ = await run_action(action(platform.client), token, text, intent, entities, slots)
    return messages


async def press(
    platform: Platform,
    action: type[CatalogAction],
    email: str,
    button: dict,
    lang: str | None = None,
) -> Messages:
    """Press a button (in a conversation held in ``lang``): its payload as text."""
    intent, entities = pressed(button)
    return await run(platform, action, email, button["payload"], intent, entities, lang)


OLIVIA = "olivia@demo-kitchen.test"
ASK = "Please help me activate my DoorDash integration"


async def ask_doordash(platform: Platform, email: str = OLIVIA, text: str = ASK) -> Messages:
    return await run(
        platform,
        ActionActivateIntegration,
        email,
        text,
        "activate_integration",
        [entity("provider", "DoorDash", text)],
    )


async def test_olivia_activates_riverside_with_the_warning_and_a_confirmation(platform) -> None:
    river = platform.link_id("dd-river")
    choice, blocked = await ask_doordash(platform)
    assert choice["text"].startswith("This location can be activated on DoorDash.")
    assert choice["buttons"] == [
        {"title": "Riverside / Taco Town", "payload": f'/activation_select{{"links":"{river}"}}'}
    ]
    assert blocked["text"].startswith("These locations can't be activated yet:")
    assert "Downtown / Burger Barn, Downtown / Taco Town (DoorDash — main)" in blocked["text"]
    assert "Reconnect it first" in blocked["text"]
    assert [b["title"] for b in blocked["buttons"]] == ["Reconnect DoorDash — main"]

    [warning] = await press(platform, ActionActivationSelect, OLIVIA, choice["buttons"][0])
    assert warning["text"].startswith("Before I activate DoorDash at Riverside / Taco Town:")
    assert "primary order manager for DoorDash" in warning["text"]
    assert "will be disconnected" in warning["text"]
    confirm = button([warning], "Confirm")
    assert payload_json(confirm)["links"] == str(river) and payload_json(confirm)["request_id"]
    assert button([warning], "Cancel")["payload"] == "/activation_abort"
    assert platform.link_state(river) == ("connected", False)  # nothing before Confirm

    done = await press(platform, ActionActivationConfirm, OLIVIA, confirm)
    assert [m["text"] for m in done] == [
        "Done: DoorDash is now active at Riverside / Taco Town. Its orders now come in through us.",
        "Want to activate another location?",
    ]
    assert button(done, "Activate other locations")["payload"] == "/activate_integration"
    assert platform.link_state(river) == ("active", True)
    assert len(platform.audit("integration.activate")) == 1

    again = await press(platform, ActionActivationConfirm, OLIVIA, confirm)
    assert again == done  # the same answer, one activation
    assert len(platform.audit("integration.activate")) == 1
    assert len(await sandbox_calls(platform.http, INTERNAL, "activate", str(river))) == 1

    [nothing_left, still_blocked] = await ask_doordash(platform)
    assert nothing_left["text"] == "There is no DoorDash location to activate right now."
    assert "Downtown / Burger Barn" in still_blocked["text"]


async def test_french_and_spanish(platform) -> None:
    text = "Veuillez m'aider à activer mon intégration DoorDash"
    choice, _ = await ask_doordash(platform, text=text)
    assert choice["text"].startswith("Cet emplacement peut être activé sur DoorDash.")
    [warning] = await press(platform, ActionActivationSelect, OLIVIA, choice["buttons"][0], "fr")
    assert "gestionnaire de commandes principal" in warning["text"]
    assert [b["title"] for b in warning["buttons"]] == ["Confirmer", "Annuler"]

    text = "Por favor, ayúdame a activar mi integración de DoorDash"
    choice, _ = await ask_doordash(platform, text=text)
    assert choice["text"].startswith("Esta ubicación se puede activar en DoorDash.")


async def test_a_typed_confirm_activates_nothing(platform) -> None:
    river = platform.link_id("dd-river")
    [reply] = await run(platform, ActionActivationConfirm, OLIVIA, "yes, activate it", "x")
    assert reply["text"].startswith("I only activate with the Confirm button")
    forged = f'/activation_confirm{{"links":"{river}"}}'  # no request id: not our button
    [reply] = await run(
        platform,
        ActionActivationConfirm,
        OLIVIA,
        forged,
        "activation_confirm",
        [{"entity": "links", "value": str(river)}],
    )
    assert reply["text"].startswith("I only activate with the Confirm button")
    assert platform.link_state(river) == ("connected", False)


async def test_a_provider_error_is_said_and_handed_to_support(platform) -> None:
    river = platform.link_id("dd-river")
    fault = {"method": "activate", "target": str(river), "error": "activation_failed"}
    queued = await platform.http.post(
        "/internal/sandbox/faults",
        json=fault,
        headers=INTERNAL,
    )
    assert queued.status_code == 201
    choice, _ = await ask_doordash(platform)
    [warning] = await press(platform, ActionActivationSelect, OLIVIA, choice["buttons"][0])
    confirm = button([warning], "Confirm")
    [failed, *handoff] = await press(platform, ActionActivationConfirm, OLIVIA, confirm)
    assert failed["text"].startswith(
        "DoorDash reported an error while activating Riverside / Taco Town, so it isn't active yet."
    )
    assert get_settings().support_phone in failed["text"]
    # A person from support takes over (test_actions_handoff_on_failure.py): no button.
    assert failed["buttons"] == []
    assert handoff[0]["text"] == "I'm passing this to a person from our support team."
    assert platform.link_state(river) == ("connected", False)
    assert [d["error"] for d in platform.audit("integration.activate_failed")] == [
        "activation_failed"
    ]


async def test_a_provider_not_responding_is_said_and_nothing_changes(demo_db_url) -> None:
    slow = {"provider_timeout_seconds": 0.3, "sandbox_hang_seconds": 1.0}
    async with open_platform(demo_db_url, Platform, **slow) as platform:
        river = platform.link_id("dd-river")
        fault = {"method": "activate", "target": str(river), "error": "hang"}
        queued = await platform.http.post("/internal/sandbox/faults", json=fault, headers=INTERNAL)
        assert queued.status_code == 201
        choice = await ask_doordash(platform)
        [warning] = await press(platform, ActionActivationSelect, OLIVIA, choice[0]["buttons"][0])
        confirm = button([warning], "Confirm")
        [failed, *handoff] = await press(platform, ActionActivationConfirm, OLIVIA, confirm)
        assert failed["text"].startswith(
            "DoorDash isn't responding right now, so Riverside / Taco Town isn't active yet and"
            " nothing was changed."
        )
        assert handoff[0]["text"] == "I'm passing this to a person from our support team."
        assert platform.link_state(river) == ("connected", False)
        await asyncio.sleep(1.0)  # the hung provider call ends before the database goes
        assert platform.link_state(river) == ("connected", False)


async def test_marc_and_sofia_are_told_who_can(platform) -> None:
    [marc] = await ask_doordash(platform, "marc@demo-kitchen.test", "activer DoorDash")
    assert marc["text"] == (
        "Vous n'êtes pas autorisé à activer des intégrations ; Olivia Owner peut le faire."
    )
    river = platform.link_id("dd-river")
    select_button = {"title": "x", "payload": f'/activation_select{{"links":"{river}"}}'}
    [sofia] = await press(
        platform, ActionActivationSelect, "sofia@demo-kitchen.test", select_button
    )
    assert sofia["text"] == "No tienes permiso para activar integraciones; Olivia Owner sí puede."


async def test_hank_cannot_activate_demo_kitchen_links(platform) -> None:
    river = platform.link_id("dd-river")
    hank = "hank@harbor-pizza.test"
    select_button = {"title": "x", "payload": f'/activation_select{{"links":"{river}"}}'}
    [reply] = await press(platform, ActionActivationSelect, hank, select_button)
    assert reply["text"].startswith("That location can't be activated from here any more.")
    confirm = {
        "title": "x",
        "payload": f'/activation_confirm{{"links":"{river}","request_id":"r"}}',
    }
    [reply] = await press(platform, ActionActivationConfirm, hank, confirm)
    assert reply["text"].startswith("That location can't be activated from here any more.")
    assert platform.link_state(river) == ("connected", False)
    [listing] = await ask_doordash(platform, hank, "activate DoorDash")
    assert listing["text"] == (
        "You have no DoorDash account connected yet, so there is nothing to activate."
    )


async def test_grubhub_is_already_active_and_rappi_has_no_account(platform) -> None:
    for text, provider, expected in (
        (
            "activate my Grubhub integration",
            "Grubhub",
            "Grubhub is already active at Airport / Burger Barn: there is nothing to activate.",
        ),
        (
            "activate Rappi",
            "Rappi",
            "You have no Rappi account connected yet, so there is nothing to activate.",
        ),
    ):
        entities = [entity("provider", provider, text)]
        [reply] = await run(
            platform, ActionActivateIntegration, OLIVIA, text, "activate_integration", entities
        )
        assert reply["text"] == expected


async def test_cancel_at_the_warning(platform) -> None:
    [reply] = await run(
        platform, ActionActivationAbort, OLIVIA, "don't activate", "activation_abort"
    )
    assert reply["text"] == "OK, I didn't activate anything. Ask me again whenever you're ready."
    assert platform.audit("integration.activate") == []
