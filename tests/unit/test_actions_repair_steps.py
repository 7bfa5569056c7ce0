"""Portal steps: "I've completed these steps", "I'll do this later", notify the managers."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction
from actions.repair_notify import ActionRepairNotifyManagers
from actions.repair_steps import ActionRepairLater, ActionRepairStepsDone
from actions.status import ActionStatus
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import tracker

Messages = list[dict[str, Any]]


async def press(
    action: type[CatalogAction],
    intent: str,
    token: str,
    account_id: str | None,
    platform: PlatformStandIn,
    text: str | None = None,
    slots: dict[str, Any] | None = None,
) -> tuple[Messages, list[dict[str, Any]]]:
    entities = [{"entity": "account_id", "value": account_id}] if account_id else []
    if text is None:
        text = f"/{intent}" + (json.dumps({"account_id": account_id}) if account_id else "")
    slots = {**({"account_id": account_id} if account_id else {}), **(slots or {})}
    dispatcher = CollectingDispatcher()
    events = await action(platform.client()).run(
        dispatcher, tracker(text, intent, token, entities, slots), {}
    )
    return dispatcher.messages, events


async def steps_done(
    token: str, account_id: str | None, platform: PlatformStandIn, **kwargs: Any
) -> tuple[Messages, list[dict[str, Any]]]:
    return await press(
        ActionRepairStepsDone, "repair_steps_done", token, account_id, platform, **kwargs
    )


async def test_completed_steps_resolved_reports_the_stores_back() -> None:
    platform = PlatformStandIn()
    messages, _ = await steps_done("tok-olivia", "dr-river", platform)
    assert [m["text"] for m in messages] == [
        "Deliveroo accepts the connection again: Riverside / Taco Town back online."
    ]
    assert platform.repair_calls() == [("POST", "/api/v1/repair/accounts/dr-river/check")]


async def test_not_resolved_offers_try_again_and_support() -> None:
    platform = PlatformStandIn()
    platform.check_outcomes["dr-river"] = ["not_resolved"]
    [message], _ = await steps_done("tok-olivia", "dr-river", platform)
    assert message["text"].startswith(
        "Deliveroo still reports the same problem for Deliveroo — Riverside: "
        "Deliveroo has the site marked inactive."
    )
    assert message["buttons"] == [
        {"title": "Try again", "payload": '/repair_steps_done{"account_id":"dr-river"}'},
        {"title": "Contact support", "payload": "/contact_support"},
    ]
    # Try again: the sandbox now finds it fixed.
    messages, _ = await steps_done("tok-olivia", "dr-river", platform)
    assert messages[0]["text"].startswith("Deliveroo accepts the connection again")


async def test_a_new_reconnect_type_error_offers_reconnect() -> None:
    platform = PlatformStandIn()
    messages, events = await steps_done("tok-olivia", "ue-river", platform)
    assert messages[0]["text"] == (
        "The first problem with Uber Eats — Riverside is fixed, but Uber Eats now reports "
        "a new one: the saved login no longer works (invalid credentials)."
    )
    assert messages[1]["buttons"] == [
        {
            "title": "Reconnect Uber Eats — Riverside",
            "payload": '/repair_reconnect{"account_id":"ue-river"}',
        }
    ]
    slot = {"event": "slot", "timestamp": None, "name": "repair_step", "value": "reconnect"}
    assert slot in events


async def test_someone_who_may_not_check_is_told_who_can() -> None:
    platform = PlatformStandIn()
    [message], _ = await steps_done("tok-marc", "dr-river", platform)
    assert message["text"] == (
        "Vous n'êtes pas autorisé à vérifier la connexion de Deliveroo — Riverside ; "
        "Olivia Owner peut s'en charger. Voulez-vous que je transmette la demande ?"
    )
    assert message["buttons"][0]["payload"] == '/repair_notify_managers{"account_id":"dr-river"}'


async def test_typed_completed_uses_the_account_under_repair_or_the_only_candidate() -> None:
    platform = PlatformStandIn()
    slots = {"repair_account": "dr-river", "repair_step": "portal_steps"}
    messages, _ = await steps_done(
        "tok-olivia", None, platform, text="I've completed these steps", slots=slots
    )
    assert messages[0]["text"].startswith("Deliveroo accepts the connection again")
    # Two accounts wait on portal steps: which one?
    messages, _ = await steps_done(
        "tok-olivia", None, PlatformStandIn(), text="I've completed these steps"
    )
    assert messages[0]["text"] == "Which account did you complete the steps for?"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/repair_steps_done{"account_id":"dr-river"}',
        '/repair_steps_done{"account_id":"ue-river"}',
    ]


async def test_another_organization_cannot_check() -> None:
    platform = PlatformStandIn()
    messages, _ = await steps_done("tok-hank", "dr-river", platform)
    assert [m["text"] for m in messages] == ["I couldn't find that account in your organization."]


async def test_later_is_acknowledged_and_the_account_stays_on_the_list() -> None:
    platform = PlatformStandIn()
    messages, _ = await press(ActionRepairLater, "repair_later", "tok-sofia", "dr-river", platform)
    assert messages[0]["text"].startswith("De acuerdo, dejamos Deliveroo — Riverside por ahora.")
    assert platform.deferred == ["dr-river"]
    dispatcher = CollectingDispatcher()
    await ActionStatus(platform.client()).run(
        dispatcher, tracker("are my integrations ok?", "status", "tok-olivia"), {}
    )
    assert any(m["text"].startswith("Deliveroo — Riverside") for m in dispatcher.messages)


async def test_later_without_an_account() -> None:
    messages, _ = await press(
        ActionRepairLater, "repair_later", "tok-olivia", None, PlatformStandIn(), text="not now"
    )
    assert messages[0]["text"].startswith("OK. Ask me")


async def test_notify_managers_then_they_see_who_asked() -> None:
    platform = PlatformStandIn()
    messages, _ = await press(
        ActionRepairNotifyManagers, "repair_notify_managers", "tok-sofia", "gl-main", platform
    )
    assert [m["text"] for m in messages] == [
        "Hecho. He avisado a Olivia Owner de que hay que arreglar Glovo — main."
    ]
    dispatcher = CollectingDispatcher()
    await ActionStatus(platform.client()).run(
        dispatcher, tracker("are my integrations ok?", "status", "tok-olivia"), {}
    )
    glovo = next(m["text"] for m in dispatcher.messages if m["text"].startswith("Glovo"))
    assert "Sofia Staff asked for this to be fixed." in glovo


async def test_notify_typed_uses_the_account_under_repair() -> None:
    platform = PlatformStandIn()
    messages, _ = await press(
        ActionRepairNotifyManagers,
        "repair_notify_managers",
        "tok-marc",
        None,
        platform,
        text="préviens-les",
        slots={"repair_account": "ue-main"},
    )
    assert messages[0]["text"] == (
        "C'est fait. J'ai prévenu Olivia Owner que Uber Eats — main doit être réparé."
    )


async def test_typed_completed_after_a_reconnect_link_does_not_check_that_account() -> None:
    platform = PlatformStandIn()
    slots = {"repair_account": "ue-main", "repair_step": "reconnect"}
    messages, _ = await steps_done(
        "tok-olivia", None, platform, text="I've completed these steps", slots=slots
    )
    assert messages[0]["text"] == "Which account did you complete the steps for?"
    assert ("POST", "/api/v1/repair/accounts/ue-main/check") not in platform.repair_calls()
