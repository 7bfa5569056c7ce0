"""Handoff through the gateway: a web user asks for a person, the bot goes quiet, the
user's messages reach support (stored by the platform, pushed to the console's
listeners) and never Rasa; an agent takes it, replies, hands it back — or the user
cancels — and Rasa is resumed and gets the next message.

The stack (tests/integration/gateway_handoff_stack.py): the gateway under uvicorn, the
real platform app on a fresh demo database, a Rasa stand-in running the real
action_contact_support. The console's part is played by calling the platform's agent
API and the gateway's in-process router (``runtime.handoffs``), as the console does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.gateway_handoff_stack import (
    ASK_FOR_A_PERSON,
    RESUMED,
    HandoffStack,
    Widget,
    handoff_stack,
    hours_around_now,
)

OLIVIA, MARC = "olivia@demo-kitchen.test", "marc@demo-kitchen.test"
SAM = "sam@support.test"


@pytest.fixture
async def stack(sqlite_url) -> AsyncIterator[HandoffStack]:
    async with handoff_stack(sqlite_url, hours_around_now()) as opened:
        yield opened


async def chat(stack: HandoffStack, widgets: list[Widget], email: str) -> Widget:
    widget = await Widget().open(stack.gateway_url, stack.user_id(email))
    widgets.append(widget)
    return widget


async def handed_off(stack: HandoffStack, widget: Widget) -> list[str]:
    """The user asks for a person: the bot's answer (the handoff is open, Rasa paused)."""
    said = await widget.say(ASK_FOR_A_PERSON)
    assert stack.handoff_states(widget.conversation_id) == ["waiting"]
    assert widget.conversation_id in stack.rasa.paused
    return said


async def test_messages_go_to_support_not_rasa_until_the_agent_hands_back(stack, widgets):
    pushed: list[tuple[int, dict[str, Any]]] = []

    async def console(handoff: dict[str, Any], message: dict[str, Any]) -> None:
        pushed.append((handoff["id"], message))

    stack.runtime.handoffs.on_user_message(console)
    widget = await chat(stack, widgets, OLIVIA)
    conversation = widget.conversation_id
    said = await handed_off(stack, widget)
    assert said[0].startswith("Nobody from our support team is online right now.")

    assert await widget.say("DoorDash still fails at Downtown") == []
    assert await widget.say("my code is 123456") == []
    assert stack.rasa.messages(conversation) == [ASK_FOR_A_PERSON]
    assert stack.from_user(conversation) == [
        "DoorDash still fails at Downtown",
        "my code is [redacted]",
    ]
    handoff = await stack.active(conversation)
    assert [(hid, m.get("text")) for hid, m in pushed] == [
        (handoff["id"], "DoorDash still fails at Downtown"),
        (handoff["id"], "my code is [redacted]"),
    ]

    # Sam takes it: the tracker is paused already (the action did it), so no second pause.
    taken = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/take", SAM)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    assert await widget.turn() == ["Sam from support has joined the conversation."]
    assert stack.rasa.appended(conversation) == []

    reply = "I can see the DoorDash error, one moment."
    await stack.agent_post(
        f"/internal/handoffs/{handoff['id']}/messages", SAM, {"sender": "agent", "text": reply}
    )
    assert await stack.runtime.handoffs.deliver_agent_reply(taken, "Sam Support", reply)
    assert await widget.turn() == [f"Sam (support): {reply}"]
    assert await widget.say("thanks, it works now") == []

    returned = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/return", SAM)
    await stack.runtime.handoffs.hand_back(returned, "Sam Support")
    assert await widget.turn() == [
        "Sam from support handed you back to the assistant: your next message goes to me."
    ]
    assert stack.rasa.appended(conversation) == RESUMED
    assert stack.handoff_states(conversation) == ["returned"]

    assert await widget.say("are my integrations ok?") == ["echo: are my integrations ok?"]
    assert stack.rasa.messages(conversation) == [ASK_FOR_A_PERSON, "are my integrations ok?"]
    assert stack.from_user(conversation)[-1] == "thanks, it works now"
    assert ("agent", reply) in stack.stored(conversation)


@pytest.mark.parametrize(
    ("email", "cancel", "back"),
    [
        (OLIVIA, "Never mind!", "OK, you're no longer waiting for support"),
        (MARC, "laisse tomber", "D'accord, vous n'attendez plus le support"),
    ],
)
async def test_the_cancel_word_returns_to_the_bot(stack, widgets, email, cancel, back):
    changed: list[dict[str, Any]] = []

    async def console(handoff: dict[str, Any]) -> None:
        changed.append(handoff)

    stack.runtime.handoffs.on_handoff_changed(console)
    widget = await chat(stack, widgets, email)
    conversation = widget.conversation_id
    await handed_off(stack, widget)
    assert await widget.say("cancel it please") == []  # not the whole message: for support

    [said] = await widget.say(cancel)
    assert said.startswith(back)
    assert stack.handoff_states(conversation) == ["cancelled"]
    assert [h["state"] for h in changed] == ["cancelled"]
    assert stack.rasa.appended(conversation) == RESUMED
    assert stack.from_user(conversation) == ["cancel it please"]

    assert await widget.say("status") == ["echo: status"]
    assert stack.rasa.messages(conversation) == [ASK_FOR_A_PERSON, "status"]


async def test_the_platform_is_asked_about_a_handoff_again_only_after_a_turn_opened_one(
    stack, widgets
):
    widget = await chat(stack, widgets, OLIVIA)
    conversation = widget.conversation_id
    for said in ("hello", "is DoorDash ok?", "thanks"):
        assert await widget.say(said) == [f"echo: {said}"]
    assert stack.asked_about_handoffs() == 1  # "none open" is kept across these turns
    await handed_off(stack, widget)  # that turn says it opened one
    assert await widget.say("are you there?") == []
    assert stack.asked_about_handoffs() == 2
    assert stack.from_user(conversation) == ["are you there?"]
    assert stack.rasa.messages(conversation) == [
        "hello",
        "is DoorDash ok?",
        "thanks",
        ASK_FOR_A_PERSON,
    ]


async def test_after_a_turn_that_failed_the_platform_is_asked_again(stack, widgets):
    widget = await chat(stack, widgets, OLIVIA)
    conversation = widget.conversation_id
    assert await widget.say("hello") == ["echo: hello"]
    stack.rasa.answers_lost = True  # the handoff opens, Rasa's answer is lost
    [failed] = await widget.say(ASK_FOR_A_PERSON)
    assert (
        failed == "Sorry, something went wrong on our side and I couldn't finish that. "
        "Please try again."
    )
    assert stack.handoff_states(conversation) == ["waiting"]
    assert await widget.say("hello? anyone?") == []  # it went to support, not to Rasa
    assert stack.from_user(conversation) == ["hello? anyone?"]
    assert stack.rasa.messages(conversation) == ["hello", ASK_FOR_A_PERSON]


async def test_taking_a_conversation_that_was_not_paused_pauses_it(stack, widgets):
    widget = await chat(stack, widgets, OLIVIA)
    conversation = widget.conversation_id
    assert await widget.say("hello") == ["echo: hello"]
    opened = await stack.platform.post(
        "/internal/handoffs",
        json={
            "conversation_id": conversation,
            "user_id": stack.user_id(OLIVIA),
            "channel": "web",
            "language": "en",
            "reason": "agent",
        },
    )
    assert opened.status_code == 201, opened.text
    taken = await stack.agent_post(f"/internal/handoffs/{opened.json()['id']}/take", SAM)
    await stack.runtime.handoffs.changed(conversation)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    assert await widget.turn() == ["Sam from support has joined the conversation."]
    assert stack.rasa.appended(conversation) == ["pause"]

    assert await widget.say("hi Sam") == []
    assert stack.rasa.messages(conversation) == ["hello"]
    assert stack.from_user(conversation) == ["hi Sam"]


async def test_a_resume_rasa_missed_is_sent_before_the_next_message(stack, widgets):
    widget = await chat(stack, widgets, OLIVIA)
    conversation = widget.conversation_id
    await handed_off(stack, widget)
    handoff = await stack.active(conversation)
    taken = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/take", SAM)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    await widget.turn()

    stack.rasa.events_down = True
    returned = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/return", SAM)
    await stack.runtime.handoffs.hand_back(returned, "Sam Support")
    assert (await widget.turn())[0].startswith("Sam from support handed you back")
    assert stack.rasa.appended(conversation) == []

    stack.rasa.events_down = False
    assert await widget.say("is DoorDash ok?") == ["echo: is DoorDash ok?"]
    assert stack.rasa.appended(conversation) == RESUMED
