"""action_repair_reconnect: the "Reconnect <label>" button and typed reconnect requests."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.repair import ActionRepairReconnect
from tests.unit.actions_standin import PlatformStandIn, entity, payload_json, tracker


async def reconnect(
    text: str, token: str | None, account_id: str | None = None, entities: list | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    platform = PlatformStandIn()
    if account_id:
        entities = [{"entity": "account_id", "value": account_id}]
    slots = {"account_id": account_id} if account_id else {}
    dispatcher = CollectingDispatcher()
    events = await ActionRepairReconnect(platform.client()).run(
        dispatcher, tracker(text, "repair_reconnect", token, entities, slots), {}
    )
    return dispatcher.messages, events


def button_payload(account_id: str) -> str:
    return "/repair_reconnect" + json.dumps({"account_id": account_id}, separators=(",", ":"))


async def test_the_button_says_where_to_reconnect_in_the_dashboard() -> None:
    messages, events = await reconnect(button_payload("ue-main"), "tok-olivia", "ue-main")
    assert [m["text"] for m in messages] == [
        "To reconnect Uber Eats — main, open your dashboard: "
        "Settings → Integrations → Connected → Reconnect, next to Uber Eats — main."
    ]
    assert events == [{"event": "slot", "timestamp": None, "name": "account_id", "value": None}]


async def test_the_dashboard_path_in_french_and_spanish() -> None:
    text = "je veux reconnecter mon compte DoorDash maintenant"
    fr, _ = await reconnect(text, "tok-olivia", entities=[entity("provider", "DoorDash", text)])
    assert fr[0]["text"].startswith("Pour reconnecter DoorDash — main, ouvrez votre tableau")
    assert "Paramètres → Intégrations → Connectées → Reconnecter" in fr[0]["text"]
    text = "quiero reconectar mi cuenta de Glovo ahora mismo"
    es, _ = await reconnect(text, "tok-olivia", entities=[entity("provider", "Glovo", text)])
    assert es[0]["text"].startswith("Para reconectar Glovo — main, abra su panel")
    assert "Configuración → Integraciones → Conectadas → Reconectar" in es[0]["text"]


async def test_someone_without_rights_is_told_who_can_in_their_language() -> None:
    messages, _ = await reconnect(button_payload("gl-main"), "tok-sofia", "gl-main")
    assert [m["text"] for m in messages] == [
        "Con sus permisos no puede reconectar Glovo — main; Olivia Owner sí puede."
    ]


async def test_a_working_account_needs_nothing() -> None:
    messages, _ = await reconnect(button_payload("gh-main"), "tok-olivia", "gh-main")
    assert [m["text"] for m in messages] == [
        "Grubhub — main is working: there is nothing to reconnect."
    ]


async def test_another_organizations_account_is_not_found() -> None:
    messages, _ = await reconnect(button_payload("ue-main"), "tok-hank", "ue-main")
    assert [m["text"] for m in messages] == ["I couldn't find that account in your organization."]


async def test_several_reconnectable_accounts_are_offered_as_buttons() -> None:
    messages, events = await reconnect("reconnect my accounts", "tok-olivia")
    assert messages[0]["text"] == "Which account do you want to reconnect?"
    assert [payload_json(b)["account_id"] for b in messages[0]["buttons"]] == [
        "ue-main",
        "dd-main",
        "gl-main",
    ]
    assert events == []


async def test_a_store_configuration_error_gets_the_portal_steps() -> None:
    text = "reconnect Deliveroo"
    entities = [entity("provider", "Deliveroo", text)]
    messages, _ = await reconnect(text, "tok-olivia", entities=entities)
    assert messages[0]["text"] == (
        "Reconnecting won't fix Deliveroo — Riverside; here is what to do."
    )
    assert "1. Sign in to Restaurant Hub." in messages[1]["text"]
    assert messages[1]["buttons"] == []


async def test_an_unverified_sender_learns_nothing() -> None:
    messages, _ = await reconnect(button_payload("ue-main"), "forged", "ue-main")
    text = "\n".join(m["text"] for m in messages)
    assert text.startswith("I can't confirm who you are from here")
    assert "Uber Eats — main" not in text
