"""A button press has no words of its own: it answers in the language the user writes in."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.repair_steps import ActionRepairStepsDone
from actions.status import ActionStatus
from tests.unit.actions_standin import PlatformStandIn


def _pressed_after(typed: str, slots: dict | None = None) -> Tracker:
    payload = '/repair_steps_done{"account_id": "dr-river"}'
    message = {
        "text": payload,
        "intent": {"name": "repair_steps_done", "confidence": 1.0},
        "entities": [{"entity": "account_id", "value": "dr-river"}],
        "metadata": {"identity": "tok-olivia"},
    }
    events = [
        {"event": "user", "text": typed, "metadata": {"identity": "tok-olivia"}},
        {"event": "user", "text": payload, "metadata": message["metadata"]},
    ]
    slots = {"account_id": "dr-river", **(slots or {})}
    return Tracker("conv-1", slots, message, events, False, None, {}, "action_listen")


async def test_a_button_pressed_after_french_text_answers_in_french() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _pressed_after("est-ce que Deliveroo fonctionne à Riverside ?")
    await ActionRepairStepsDone(PlatformStandIn().client()).run(dispatcher, tracker, {})
    assert "de nouveau en ligne" in dispatcher.messages[0]["text"]


async def test_a_button_pressed_after_english_text_answers_in_english() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _pressed_after("is Deliveroo working at Riverside?")
    await ActionRepairStepsDone(PlatformStandIn().client()).run(dispatcher, tracker, {})
    assert "back online" in dispatcher.messages[0]["text"]


async def test_the_conversation_language_outlives_the_session() -> None:
    """After a new Rasa session the earlier messages are gone; the slot carries over."""
    dispatcher = CollectingDispatcher()
    tracker = _pressed_after("", slots={"conversation_language": "es"})
    await ActionRepairStepsDone(PlatformStandIn().client()).run(dispatcher, tracker, {})
    assert "de nuevo en línea" in dispatcher.messages[0]["text"]


async def test_a_clear_message_in_another_language_is_remembered() -> None:
    dispatcher = CollectingDispatcher()
    message = {
        "text": "est-ce que Deliveroo fonctionne à Riverside ?",
        "intent": {"name": "status", "confidence": 1.0},
        "entities": [],
        "metadata": {"identity": "tok-olivia"},
    }
    events = [{"event": "user", "text": message["text"], "metadata": message["metadata"]}]
    tracker = Tracker("conv-1", {}, message, events, False, None, {}, "action_listen")
    answer = await ActionStatus(PlatformStandIn().client()).run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "conversation_language", "value": "fr"} in (
        answer
    )

    # Back in the profile's language: nothing more to remember.
    message = {**message, "text": "is Deliveroo working at Riverside?"}
    events = [{"event": "user", "text": message["text"], "metadata": message["metadata"]}]
    slots = {"conversation_language": "fr"}
    tracker = Tracker("conv-1", slots, message, events, False, None, {}, "action_listen")
    answer = await ActionStatus(PlatformStandIn().client()).run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "conversation_language", "value": None} in (
        answer
    )
