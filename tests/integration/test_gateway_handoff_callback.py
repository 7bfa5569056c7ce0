"""The SMS callback through the gateway (docs/handoff-callback.md): a web user waiting
for support while nobody is online answers the offer with ``/handoff_callback``; the
handoff moves to their SMS conversation, the assistant is back on the web, and when an
agent takes it the user's phone gets a text about the web request, and their SMS replies
reach the agent. ``/handoff_wait`` keeps waiting; refusals change nothing; neither
payload is ever stored as a message to support.

The stack (tests/integration/gateway_handoff_stack.py) with the SMS channel on: the
gateway texts through the official twilio client to a local Twilio stand-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.devtools.fake_twilio import FakeTwilioServer
from tests.integration.gateway_handoff_stack import (
    ASK_FOR_A_PERSON,
    RESUMED,
    TWILIO_ACCOUNT_SID,
    HandoffStack,
    Widget,
    handoff_stack,
    hours_around_now,
)

OLIVIA, MARC, SOFIA = (
    "olivia@demo-kitchen.test",
    "marc@demo-kitchen.test",
    "sofia@demo-kitchen.test",
)
OLIVIAS_PHONE, MARCS_PHONE, SOFIAS_PHONE = "+15550000001", "+15550000002", "+15550000003"
SAM = "sam@support.test"
MOVED_EN = (
    "OK — we'll text you at •••• 0001 as soon as someone from support is back. "
    "Meanwhile I'm here if you need me."
)


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilioServer]:
    server = FakeTwilioServer(TWILIO_ACCOUNT_SID)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def stack(sqlite_url, twilio) -> AsyncIterator[HandoffStack]:
    async with handoff_stack(sqlite_url, hours_around_now(), twilio) as opened:
        yield opened


async def waiting_on_the_web(stack: HandoffStack, widgets: list[Widget], email: str) -> Widget:
    """``email`` opens the web chat and asks for a person while nobody is online."""
    widget = await Widget().open(stack.gateway_url, stack.user_id(email))
    widgets.append(widget)
    await widget.say(ASK_FOR_A_PERSON)
    assert stack.handoff_states(widget.conversation_id) == ["waiting"]
    assert widget.conversation_id in stack.rasa.paused
    assert {"/handoff_callback", "/handoff_wait"} <= set(stack.rasa.button_titles)
    return widget


async def press(stack: HandoffStack, widget: Widget, payload: str) -> list[str]:
    """Press the button action_contact_support offered with ``payload``."""
    return await widget.press(stack.rasa.button_titles[payload])


def sms_conversation(stack: HandoffStack, email: str, phone: str) -> str:
    return f"sms:{stack.user_id(email)}:{phone.lstrip('+')}"


async def stored_from_user(stack: HandoffStack, conversation_id: str, count: int) -> list[str]:
    """The user's messages stored on the conversation's handoff, once ``count`` are."""
    for _ in range(100):
        found = stack.from_user(conversation_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"only {stack.from_user(conversation_id)} stored")


async def test_a_callback_moves_support_to_sms_and_the_bot_is_back_on_the_web(stack, widgets):
    changed: list[dict] = []

    async def console(handoff: dict) -> None:
        changed.append(handoff)

    stack.runtime.handoffs.on_handoff_changed(console)
    widget = await waiting_on_the_web(stack, widgets, OLIVIA)
    web = widget.conversation_id
    sms = sms_conversation(stack, OLIVIA, OLIVIAS_PHONE)

    assert await press(stack, widget, "/handoff_callback") == [MOVED_EN]
    assert stack.handoff_states(web) == []  # the handoff moved …
    assert stack.handoff_states(sms) == ["waiting"]  # … to her SMS conversation
    assert stack.stored(sms) == [("system", "Callback by SMS requested (•••• 0001).")]
    assert [(h["conversation_id"], h["sms_callback"]) for h in changed] == [(sms, "•••• 0001")]
    assert stack.rasa.appended(web) == RESUMED
    assert stack.rasa.messages(web) == [ASK_FOR_A_PERSON]  # the payload never reached Rasa

    # The assistant is back on the web at once; the offer's buttons are spent.
    assert await widget.say("are my integrations ok?") == ["echo: are my integrations ok?"]
    assert await press(stack, widget, "/handoff_wait") == [
        "You're not waiting for support here any more: you're with the assistant. "
        "What can I do for you?"
    ]
    assert stack.rasa.messages(web) == [ASK_FOR_A_PERSON, "are my integrations ok?"]
    assert stack.handoff_states(sms) == ["waiting"]

    # Sam takes it: her phone gets a text about the web request; Rasa's SMS tracker pauses.
    handoff = await stack.active(sms)
    taken = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/take", SAM)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    assert await stack.texted(OLIVIAS_PHONE, 1) == [
        "Hi, this is Sam from support, about the request you made in the web chat. "
        "You can reply to this text message."
    ]
    assert stack.rasa.appended(sms) == ["pause"]

    # Her SMS reply reaches support, not Rasa; Sam's answer is texted back.
    await stack.text(OLIVIAS_PHONE, "DoorDash fails at Downtown again")
    assert await stored_from_user(stack, sms, 1) == ["DoorDash fails at Downtown again"]
    assert stack.rasa.messages(sms) == []
    reply = "I'm on it."
    await stack.agent_post(
        f"/internal/handoffs/{handoff['id']}/messages", SAM, {"sender": "agent", "text": reply}
    )
    assert await stack.runtime.handoffs.deliver_agent_reply(taken, "Sam Support", reply)
    assert (await stack.texted(OLIVIAS_PHONE, 2))[1] == "Sam (support): I'm on it."


@pytest.mark.parametrize(
    ("email", "phone", "queued", "moved", "joined"),
    [
        (
            MARC,
            MARCS_PHONE,
            "Vous êtes dans la file d'attente ; quelqu'un du support",
            "D'accord — nous vous enverrons un SMS au •••• 0002 dès que quelqu'un du "
            "support sera de retour. En attendant, je suis là si vous avez besoin de moi.",
            "Bonjour, ici Sam, de l'équipe support, au sujet de votre demande faite dans "
            "le chat web. Vous pouvez répondre à ce SMS.",
        ),
        (
            SOFIA,
            SOFIAS_PHONE,
            "Está en la cola; alguien del soporte",
            "De acuerdo — le enviaremos un SMS al •••• 0003 en cuanto alguien del soporte "
            "esté de vuelta. Mientras tanto, aquí estoy si me necesita.",
            "Hola, soy Sam, del equipo de soporte, por la solicitud que hizo en el chat "
            "web. Puede responder a este SMS.",
        ),
    ],
)
async def test_in_their_language_waiting_then_texted_back(
    stack, widgets, email, phone, queued, moved, joined
):
    widget = await waiting_on_the_web(stack, widgets, email)
    web = widget.conversation_id

    [said] = await press(stack, widget, "/handoff_wait")
    assert said.startswith(queued)
    assert stack.handoff_states(web) == ["waiting"]
    assert stack.from_user(web) == []  # the payload is not a message to support
    assert stack.rasa.appended(web) == []

    assert await press(stack, widget, "/handoff_callback") == [moved]
    sms = sms_conversation(stack, email, phone)
    assert stack.handoff_states(sms) == ["waiting"]
    assert stack.from_user(sms) == []
    handoff = await stack.active(sms)
    taken = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/take", SAM)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    assert await stack.texted(phone, 1) == [joined]


async def test_an_open_sms_handoff_takes_the_callback_and_the_web_one_ends(stack, widgets):
    sms = sms_conversation(stack, OLIVIA, OLIVIAS_PHONE)
    opened = await stack.platform.post(
        "/internal/handoffs",
        json={
            "conversation_id": sms,
            "user_id": stack.user_id(OLIVIA),
            "channel": "sms",
            "language": "en",
        },
    )
    assert opened.status_code == 201, opened.text
    widget = await waiting_on_the_web(stack, widgets, OLIVIA)
    web = widget.conversation_id

    [said] = await press(stack, widget, "/handoff_callback")
    assert said == (
        "You already have a request open with support by text message: we'll answer you "
        "there, at •••• 0001. Meanwhile I'm here if you need me."
    )
    assert stack.handoff_states(web) == ["cancelled"]
    assert stack.handoff_states(sms) == ["waiting"]
    assert stack.rasa.appended(web) == RESUMED
    assert await widget.say("hello") == ["echo: hello"]


async def test_refused_callbacks_leave_the_user_waiting(stack, widgets):
    widget = await waiting_on_the_web(stack, widgets, OLIVIA)
    web = widget.conversation_id
    stop = await stack.platform.post(
        "/internal/sms/opt-outs", json={"phone": OLIVIAS_PHONE, "opted_out": True}
    )
    assert stop.status_code == 200, stop.text

    [said] = await press(stack, widget, "/handoff_callback")
    assert said.startswith("I can't text you: your phone number has opted out")
    assert "You're still in the queue" in said
    assert stack.handoff_states(web) == ["waiting"]
    assert stack.rasa.appended(web) == []
    assert await widget.say("still there?") == []  # still with support
    assert stack.from_user(web) == ["still there?"]

    # Once an agent has it, there is nothing to text back.
    handoff = await stack.active(web)
    taken = await stack.agent_post(f"/internal/handoffs/{handoff['id']}/take", SAM)
    await stack.runtime.handoffs.take(taken, "Sam Support")
    assert await widget.turn() == ["Sam from support has joined the conversation."]
    assert await press(stack, widget, "/handoff_callback") == [
        "Someone from support is already with you here, so there's no need to text you."
    ]
    assert await press(stack, widget, "/handoff_wait") == []
    assert stack.handoff_states(web) == ["taken"]
    assert stack.from_user(web) == ["still there?"]
    assert stack.twilio is not None and stack.twilio.messages(to=OLIVIAS_PHONE) == []
