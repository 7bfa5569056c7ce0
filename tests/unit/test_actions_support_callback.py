"""The text-me-back offer (issue 7): when nobody can take the handoff now, the platform
gives the user's verified phone, masked (``sms_callback``), and the queue message offers
"Text me when someone's back" (``/handoff_callback``) and "Keep me in the queue"
(``/handoff_wait``) — the gateway answers those while the conversation is paused.

Against the real platform app (demo data: Olivia •••• 0001, Marc •••• 0002, Sofia
•••• 0003, all verified) and, for the platform's answer as such, a small stand-in.
"""

from __future__ import annotations

from typing import Any

import httpx
from rasa_sdk.executor import CollectingDispatcher

from actions.support import ActionContactSupport
from actions.support_render import queue_reply
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.platform_inprocess import run_action
from tests.unit.test_actions_support_handoff import (
    MARC,
    OLIVIA,
    PAUSE,
    SOFIA,
    hours_around_now,
    hours_later,
    platform_with_hours,
    put_online,
)
from tests.unit.trackers import tracker

Messages = list[dict[str, Any]]
NOBODY = {"open": True, "agents_online": 0, "next_open_at": None}


async def ask(client: Any, token: str, text: str) -> tuple[Messages, list[dict[str, Any]]]:
    return await run_action(ActionContactSupport(client), token, text, "contact_support")


async def test_nobody_online_offers_to_text_marc_back_in_french(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        messages, events = await ask(
            platform.client, platform.token(MARC), "je veux parler à quelqu'un du support"
        )
    queue = messages[0]
    assert queue["text"].endswith(
        "Je peux aussi vous envoyer un SMS au •••• 0002 quand quelqu'un de notre équipe "
        "support sera de retour, ou vous pouvez rester ici dans la file d'attente."
    )
    assert queue["buttons"] == [
        {"title": "Prévenez-moi par SMS à leur retour", "payload": "/handoff_callback"},
        {"title": "Rester dans la file d'attente", "payload": "/handoff_wait"},
    ]
    assert PAUSE in events


async def test_outside_hours_offers_to_text_sofia_back_in_spanish(demo_db_url) -> None:
    hours, _ = hours_later()
    async with platform_with_hours(demo_db_url, hours) as platform:
        messages, _ = await ask(
            platform.client, platform.token(SOFIA), "quiero hablar con una persona de soporte"
        )
    queue = messages[0]
    assert "También puedo enviarle un SMS al •••• 0003" in queue["text"]
    assert [(b["title"], b["payload"]) for b in queue["buttons"]] == [
        ("Avísenme por SMS cuando vuelvan", "/handoff_callback"),
        ("Seguir en la cola", "/handoff_wait"),
    ]


async def test_a_person_online_takes_it_without_the_offer(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        await put_online(platform, "sam@support.test")
        messages, events = await ask(platform.client, platform.token(OLIVIA), "talk to a human")
    assert "text you at" not in messages[0]["text"]
    assert all(m["buttons"] == [] for m in messages)
    assert PAUSE in events


async def test_by_sms_no_offer_the_user_is_already_texting(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        messages, events = await ask(
            platform.client, platform.sms_token(OLIVIA, confirmed=True), "talk to a human"
        )
    [queue] = messages  # by SMS no "text our support team at" either
    assert queue["text"].startswith("Nobody from our support team is online right now.")
    assert queue["buttons"] == []
    assert PAUSE in events


class QueueStandIn(PlatformStandIn):
    """The stand-in, and ``POST /api/v1/handoffs`` answering nobody online with the
    given ``sms_callback`` (left out when ``None``)."""

    def __init__(self, sms_callback: str | None) -> None:
        super().__init__()
        self.sms_callback = sms_callback

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer the handoff; anything else as the stand-in does."""
        if request.url.path == "/api/v1/handoffs" and request.method == "POST":
            answer: dict[str, Any] = {"id": 7, "state": "waiting", "availability": NOBODY}
            if self.sms_callback is not None:
                answer["sms_callback"] = self.sms_callback
            return httpx.Response(201, json=answer)
        return super().handle(request)


async def contact(sms_callback: str | None) -> Messages:
    dispatcher = CollectingDispatcher()
    client = QueueStandIn(sms_callback).client()
    await ActionContactSupport(client).run(
        dispatcher, tracker("talk to a human", "contact_support", "tok-olivia"), {}
    )
    return dispatcher.messages


async def test_the_offer_follows_the_platforms_answer() -> None:
    offered = await contact("•••• 1234")
    assert offered[0]["text"] == (
        "Nobody from our support team is online right now. Your conversation stays in their "
        "queue and the first person to come online will answer here. "
        'Say "cancel" if you\'d rather come back to me.\n'
        "I can also text you at •••• 1234 when someone from our support team is back, or you "
        "can keep waiting here in the queue."
    )
    assert offered[0]["buttons"] == [
        {"title": "Text me when someone's back", "payload": "/handoff_callback"},
        {"title": "Keep me in the queue", "payload": "/handoff_wait"},
    ]
    for absent in (None, "", "   "):
        [queue, _phone] = await contact(absent)
        assert "text you at" not in queue["text"] and queue["buttons"] == []


def test_the_queue_reply_without_a_masked_phone_has_no_buttons() -> None:
    assert queue_reply("en", NOBODY, "", 1234).buttons == []
    assert queue_reply("en", NOBODY, "", None).text.startswith("Nobody from our support")
