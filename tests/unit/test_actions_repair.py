"""action_repair_reconnect: the "Reconnect <label>" button and typed reconnect requests."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.repair import ActionRepairReconnect
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import entity, payload_json, tracker

CLEAR_BUTTON = {"event": "slot", "timestamp": None, "name": "account_id", "value": None}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


async def reconnect(
    text: str,
    token: str | None,
    account_id: str | None = None,
    entities: list | None = None,
    platform: PlatformStandIn | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    platform = platform or PlatformStandIn()
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


async def test_the_button_sends_a_one_time_link() -> None:
    platform = PlatformStandIn()
    messages, events = await reconnect(
        button_payload("ue-main"), "tok-olivia", "ue-main", None, platform
    )
    [message] = messages
    assert re.fullmatch(
        r"Here is your secure link to reconnect Uber Eats — main: http://platform\.test/pair/\w+ "
        r"— it works once and expires in 10 minutes\. Type your Uber Eats e-mail and password "
        r"on that page, never here in the chat\. I'll carry on here as soon as you're done\.",
        message["text"],
    ), message["text"]
    assert "code" not in message["text"]
    assert events == [
        CLEAR_BUTTON,
        slot("repair_account", "ue-main"),
        slot("repair_step", "reconnect"),
    ]
    assert ("POST", "/api/v1/repair/pairings") in platform.repair_calls()
    body = json.loads(
        next(r for r in platform.requests if r.url.path.endswith("/pairings")).content
    )
    assert body == {"account_id": "ue-main", "lang": "en"}


async def test_an_account_with_2fa_says_the_code_comes_to_the_chat() -> None:
    messages, _ = await reconnect(button_payload("dd-main"), "tok-olivia", "dd-main")
    assert (
        "DoorDash will then send a code to the account's e-mail or phone: "
        "type it here in the chat (or on the page)."
    ) in messages[0]["text"]


async def test_the_link_in_french_and_spanish() -> None:
    text = "je veux reconnecter mon compte DoorDash maintenant"
    fr, _ = await reconnect(text, "tok-olivia", entities=[entity("provider", "DoorDash", text)])
    assert fr[0]["text"].startswith("Voici votre lien sécurisé pour reconnecter DoorDash — main : ")
    assert "jamais ici dans le chat" in fr[0]["text"]
    text = "quiero reconectar mi cuenta de Glovo ahora mismo"
    es, _ = await reconnect(text, "tok-olivia", entities=[entity("provider", "Glovo", text)])
    assert es[0]["text"].startswith("Aquí tiene su enlace seguro para reconectar Glovo — main: ")
    assert "Escriba su correo electrónico y su contraseña de Glovo" in es[0]["text"]


async def test_someone_without_rights_is_told_who_can_and_may_notify_them() -> None:
    messages, events = await reconnect(button_payload("gl-main"), "tok-sofia", "gl-main")
    [message] = messages
    assert message["text"] == (
        "Usted no está autorizado a reconectar Glovo — main; Olivia Owner sí puede. "
        "¿Quiere que envíe el aviso?"
    )
    assert message["buttons"] == [
        {
            "title": "Avisar a Olivia Owner",
            "payload": '/repair_notify_managers{"account_id":"gl-main"}',
        }
    ]
    assert events == [CLEAR_BUTTON]


async def test_a_working_account_needs_nothing() -> None:
    messages, _ = await reconnect(button_payload("gh-main"), "tok-olivia", "gh-main")
    assert [m["text"] for m in messages] == [
        "Grubhub — main is working: there is nothing to reconnect."
    ]


async def test_another_organizations_account_is_not_found() -> None:
    platform = PlatformStandIn()
    messages, _ = await reconnect(button_payload("ue-main"), "tok-hank", "ue-main", None, platform)
    assert [m["text"] for m in messages] == ["I couldn't find that account in your organization."]
    assert platform.repair_calls() == []


async def test_a_locked_account_says_for_how_long_and_offers_support() -> None:
    platform = PlatformStandIn()  # it opens no handoff: support is offered, as before
    platform.locked_until["dd-main"] = "2999-01-01T00:00:00Z"
    messages, events = await reconnect(
        button_payload("dd-main"), "tok-olivia", "dd-main", None, platform
    )
    [message, unavailable] = messages
    assert message["text"].startswith(
        "Reconnecting DoorDash — main is locked after too many wrong codes, for "
    )
    assert message["buttons"] == [{"title": "Contact support", "payload": "/contact_support"}]
    assert unavailable["text"].startswith("I can't reach our support team's queue right now.")
    assert not [e for e in events if e["event"] == "pause"]


async def test_several_reconnectable_accounts_are_offered_as_buttons() -> None:
    messages, events = await reconnect("reconnect my accounts", "tok-olivia")
    assert messages[0]["text"] == "Which account do you want to reconnect?"
    assert [payload_json(b)["account_id"] for b in messages[0]["buttons"]] == [
        "ue-main",
        "dd-main",
        "gl-main",
    ]
    assert events == []


async def test_a_store_configuration_error_gets_the_portal_steps_and_two_buttons() -> None:
    text = "reconnect Deliveroo"
    entities = [entity("provider", "Deliveroo", text)]
    messages, events = await reconnect(text, "tok-olivia", entities=entities)
    assert messages[0]["text"] == (
        "Reconnecting won't fix Deliveroo — Riverside; here is what to do."
    )
    assert "1. Sign in to Restaurant Hub." in messages[1]["text"]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "I've completed these steps",
        "I'll do this later",
    ]
    assert events == [slot("repair_account", "dr-river"), slot("repair_step", "portal_steps")]


async def test_the_portal_steps_are_read_only_for_someone_who_may_not_check() -> None:
    text = "reconnect Deliveroo"
    entities = [entity("provider", "Deliveroo", text)]
    messages, _ = await reconnect(text, "tok-marc", entities=entities)
    assert messages[0]["text"] == (
        "Une reconnexion ne réglera pas Deliveroo — Riverside ; voici ce qu'il faut faire."
    )
    assert messages[1]["text"].endswith(
        "Tout le monde peut suivre ces étapes ; "
        "la vérification de la connexion ensuite revient à Olivia Owner."
    )
    assert messages[1]["buttons"] == []


async def test_an_unverified_sender_learns_nothing() -> None:
    messages, _ = await reconnect(button_payload("ue-main"), "forged", "ue-main")
    text = "\n".join(m["text"] for m in messages)
    assert text.startswith("I can't confirm who you are from here")
    assert "Uber Eats — main" not in text


async def test_an_unreachable_platform_is_said_plainly() -> None:
    platform = PlatformStandIn(available=False)
    messages, _ = await reconnect(
        button_payload("ue-main"), "tok-olivia", "ue-main", None, platform
    )
    assert [m["text"] for m in messages] == [
        "I can't reach the integrations service right now, please try again in a minute."
    ]
