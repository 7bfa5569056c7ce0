"""action_repair_pairing_update: where a pairing stands after the page, a code or "done"."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.repair import ActionRepairReconnect
from actions.repair_pairing import ActionRepairPairingUpdate
from actions.turn import identity_token
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import external_tracker, tracker

Messages = list[dict[str, Any]]


async def start(platform: PlatformStandIn, token: str, account_id: str) -> None:
    payload = "/repair_reconnect" + json.dumps({"account_id": account_id})
    entities = [{"entity": "account_id", "value": account_id}]
    await ActionRepairReconnect(platform.client()).run(
        CollectingDispatcher(),
        tracker(payload, "repair_reconnect", token, entities, {"account_id": account_id}),
        {},
    )


async def external(
    platform: PlatformStandIn, token: str, event: str = "credentials_submitted", before: str = ""
) -> tuple[Messages, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionRepairPairingUpdate(platform.client()).run(
        dispatcher,
        external_tracker("repair_pairing_update", token, {"pairing_event": event}, before=before),
        {},
    )
    return dispatcher.messages, events


async def typed(
    platform: PlatformStandIn, token: str, text: str, slots: dict[str, Any] | None = None
) -> tuple[Messages, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionRepairPairingUpdate(platform.client()).run(
        dispatcher, tracker(text, "repair_pairing_update", token, None, slots), {}
    )
    return dispatcher.messages, events


def texts(messages: Messages) -> list[str]:
    return [m["text"] for m in messages]


async def test_success_reports_every_store_back_online() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    platform.page("tok-olivia", "succeeded")
    messages, events = await external(platform, "tok-olivia")
    assert texts(messages) == [
        "Uber Eats — main is connected again. "
        "Back online: Downtown / Burger Barn, Airport / Burger Barn."
    ]
    assert {"event": "slot", "timestamp": None, "name": "repair_account", "value": None} in events


async def test_the_identity_of_an_external_message_is_its_entity() -> None:
    assert identity_token(external_tracker("repair_pairing_update", "tok-olivia")) == "tok-olivia"
    # A user message never takes its identity from an entity.
    spoofed = tracker("hi", "greet", None, [{"entity": "identity", "value": "tok-olivia"}])
    assert identity_token(spoofed) is None


async def test_the_identity_is_never_rendered_nor_logged(caplog: pytest.LogCaptureFixture) -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "dd-main")
    for outcome in ("needs_code", "code_rejected", "succeeded"):
        platform.page("tok-olivia", outcome, attempts_left=3)
        with caplog.at_level(logging.DEBUG):
            messages, events = await external(platform, "tok-olivia")
        assert "tok-olivia" not in json.dumps([messages, events])
    assert "tok-olivia" not in caplog.text


async def test_a_code_is_asked_for_in_the_chat() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "dd-main")
    platform.page("tok-olivia", "needs_code")
    messages, _ = await external(platform, "tok-olivia")
    assert texts(messages) == [
        "DoorDash sent a 6-digit code to the account's e-mail or phone: "
        "type it here (or on the page)."
    ]


async def test_a_wrong_code_asks_again_with_the_tries_left() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "dd-main")
    platform.page("tok-olivia", "code_rejected", attempts_left=4)
    messages, _ = await external(platform, "tok-olivia", "code_submitted")
    assert texts(messages) == [
        "That code wasn't accepted. Type the latest code DoorDash sent you (4 tries left)."
    ]
    platform.page("tok-olivia", "code_rejected", attempts_left=1)
    messages, _ = await external(platform, "tok-olivia", "code_submitted")
    assert texts(messages)[0].endswith("(1 try left).")


async def test_the_fifth_wrong_code_locks_and_offers_support() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "dd-main")
    platform.page("tok-olivia", "locked", attempts_left=0, locked_until="2999-01-01T00:00:00Z")
    # The stand-in opens no handoff: support is offered, as before.
    [message, unavailable], events = await external(platform, "tok-olivia", "code_submitted")
    assert message["text"].startswith("Reconnecting DoorDash — main is locked")
    assert message["buttons"] == [{"title": "Contact support", "payload": "/contact_support"}]
    assert unavailable["text"].startswith("I can't reach our support team's queue right now.")
    assert not [e for e in events if e["event"] == "pause"]


async def test_a_wrong_password_offers_a_new_link() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "gl-main")
    platform.page("tok-olivia", "invalid_credentials")
    [message], _ = await external(platform, "tok-olivia")
    assert message["text"].startswith("Glovo didn't accept that e-mail and password.")
    assert message["buttons"] == [
        {"title": "Send a new link", "payload": '/repair_reconnect{"account_id":"gl-main"}'}
    ]


async def test_an_expired_or_replaced_link_offers_a_new_one() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    for outcome in ("expired", "superseded"):
        platform.page("tok-olivia", outcome)
        [message], _ = await typed(platform, "tok-olivia", "done")
        assert message["text"].startswith("That link has expired")
        assert message["buttons"][0]["title"] == "Send a new link"


async def test_a_new_error_after_signing_in_continues_with_its_repair() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    platform.page("tok-olivia", "new_error", new_error="non_traditional_login")
    messages, events = await external(platform, "tok-olivia")
    assert messages[0]["text"] == (
        "Uber Eats — main signed in, but Uber Eats now reports: "
        "the Uber Eats user signs in with a method we cannot use."
    )
    assert "1. Sign in to Uber Eats Manager." in messages[1]["text"]
    assert [b["payload"] for b in messages[1]["buttons"]] == [
        '/repair_steps_done{"account_id":"ue-main"}',
        '/repair_later{"account_id":"ue-main"}',
    ]
    assert {"event": "slot", "timestamp": None, "name": "repair_step", "value": "portal_steps"} in (
        events
    )


async def test_a_new_reconnect_type_error_offers_reconnect() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "gl-main")
    platform.page("tok-olivia", "new_error", new_error="2fa_required")
    messages, _ = await external(platform, "tok-olivia")
    assert messages[1]["buttons"] == [
        {"title": "Reconnect Glovo — main", "payload": '/repair_reconnect{"account_id":"gl-main"}'}
    ]


async def test_an_unused_link_is_still_waiting() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    [text] = texts((await typed(platform, "tok-olivia", "I've signed in"))[0])
    assert text.startswith("Your link to reconnect Uber Eats — main is still waiting")


async def test_a_provider_error_offers_a_new_link_and_support() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    platform.page("tok-olivia", "provider_error")
    [message], _ = await external(platform, "tok-olivia")
    assert message["text"].startswith("Uber Eats didn't answer properly")
    assert [b["title"] for b in message["buttons"]] == ["Send a new link", "Contact support"]


async def test_no_pairing_in_progress() -> None:
    messages, _ = await typed(PlatformStandIn(), "tok-olivia", "done")
    assert texts(messages)[0].startswith("There is no reconnection in progress.")


async def test_an_external_message_answers_in_the_language_the_user_wrote_in() -> None:
    platform = PlatformStandIn()
    await start(platform, "tok-olivia", "ue-main")
    platform.page("tok-olivia", "succeeded")
    before = "je veux reconnecter mon compte Uber Eats maintenant"
    messages, _ = await external(platform, "tok-olivia", before=before)
    assert texts(messages) == [
        "Uber Eats — main est de nouveau connecté. "
        "De nouveau en ligne : Downtown / Burger Barn, Airport / Burger Barn."
    ]
    messages, _ = await external(platform, "tok-olivia")
    assert texts(messages)[0].startswith("Uber Eats — main is connected again.")


async def test_typed_done_after_portal_steps_runs_the_check() -> None:
    platform = PlatformStandIn()
    slots = {"repair_account": "dr-river", "repair_step": "portal_steps"}
    messages, _ = await typed(platform, "tok-olivia", "done", slots)
    assert texts(messages) == [
        "Deliveroo accepts the connection again: Riverside / Taco Town back online."
    ]
    assert ("POST", "/api/v1/repair/accounts/dr-river/check") in platform.repair_calls()


async def test_an_unverified_external_message_changes_nothing() -> None:
    platform = PlatformStandIn()
    messages, _ = await external(platform, "forged")
    assert texts(messages)[0].startswith("I can't confirm who you are from here")
    assert platform.repair_calls() == []
