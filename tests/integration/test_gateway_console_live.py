"""Agents take conversations that never asked for a person (docs/handoff-contract.md,
"Live conversations"): the gateway reports users' activity, the console lists the live
conversations, "Take" opens a handoff (reason ``agent``) and takes it at once. Also the
agents' presence heartbeat and the queue's "waiting" banner.

The gateway runs under uvicorn with the real platform app in process (fresh demo
database) and Rasa stood in; the stand-in's tracker also answers its events, as Rasa's
``GET /conversations/{id}/tracker`` does.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import socketio
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.gateway.app import create_app
from bot.gateway.console_view import queue_rows
from bot.platform.api import create_app as create_platform_app
from bot.platform.demo import load_demo
from bot.platform.models import Agent, Conversation, Handoff
from bot.platform_client import PlatformClient
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings
from tests.integration.gateway_handoff_stack import (
    INTERNAL,
    RASA_TOKEN,
    SESSION_SECRET,
    HandoffStack,
    RasaStandIn,
    Widget,
)
from tests.integration.sockets import connect_socket
from tests.integration.test_gateway_console import (
    ANA,
    ANA_PASSWORD,
    OLIVIA,
    SAM,
    SAM_PASSWORD,
    browser,
    open_handoff,
    signed_in,
)
from tests.integration.test_gateway_webchat import serve

HOURS = "00:00-23:59"
JOINED = "Sam from support has joined the conversation."
BACK = "Sam from support handed you back to the assistant"
TAKE_FORM = re.compile(r'name="conversation_id" value="([^"]+)"')


class TrackerRasa(RasaStandIn):
    """The Rasa stand-in whose tracker also lists the conversation's user and bot events."""

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path.endswith("/tracker"):
            answer = await super().handle(request)
            if answer.status_code != 200:
                return answer
            conversation_id = path.split("/")[2]
            events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
            for said in self.messages(conversation_id):
                events.append({"event": "user", "text": said})
                events.append({"event": "bot", "text": f"echo: {said}"})
            return httpx.Response(200, json={**answer.json(), "events": events})
        return await super().handle(request)


@asynccontextmanager
async def live_stack(db_url: str, **gateway: Any) -> AsyncIterator[HandoffStack]:
    """The handoff stack (see :mod:`tests.integration.gateway_handoff_stack`) with gateway
    settings ``gateway`` and the tracker-answering Rasa stand-in."""
    load_demo(db_url)
    platform_app = create_platform_app(make_settings(db_url, support_hours=HOURS))
    transport = httpx.ASGITransport(app=platform_app)
    action_client = PlatformClient("http://platform.test", transport=transport)
    rasa = TrackerRasa(action_client)
    settings = Settings(
        _env_file=None,
        session_secret=SecretStr(SESSION_SECRET),
        identity_secret=SecretStr(IDENTITY_SECRET),
        internal_token=SecretStr(INTERNAL_TOKEN),
        rasa_token=SecretStr(RASA_TOKEN),
        platform_url="http://platform.test",
        rasa_url="http://rasa.test",
        **gateway,
    )
    app = create_app(
        settings, platform_transport=transport, rasa_transport=httpx.MockTransport(rasa.handle)
    )
    async with (
        serve(app) as url,
        httpx.AsyncClient(
            transport=transport, base_url="http://platform.test", headers=INTERNAL
        ) as platform,
    ):
        yield HandoffStack(url, app.state.runtime, platform, rasa, db_url)
    await action_client.aclose()
    platform_app.state.platform.dispose()


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """``check()``'s first truthy answer within ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = check()
        if answer or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.05)


def seen_at(stack: HandoffStack, conversation_id: str) -> Any:
    return stack.query(
        lambda s: s.scalar(
            select(Conversation.last_message_at).where(
                Conversation.conversation_id == conversation_id
            )
        )
    )


def handoff_of(stack: HandoffStack, conversation_id: str) -> Handoff | None:
    def read(session):
        handoff = session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id)
        ).first()
        if handoff is not None:
            session.expunge(handoff)
        return handoff

    return stack.query(read)


async def olivia_chats(stack: HandoffStack) -> Widget:
    widget = await Widget().open(stack.gateway_url, stack.user_id(OLIVIA))
    assert await widget.say("what are my orders today") == ["echo: what are my orders today"]
    assert await eventually(lambda: seen_at(stack, widget.conversation_id))
    return widget


async def take(client: httpx.AsyncClient, token: str, conversation_id: str) -> httpx.Response:
    form = {"csrf_token": token, "conversation_id": conversation_id}
    return await client.post("/console/live/take", data=form)


async def test_sam_takes_a_conversation_that_never_asked_and_hands_it_back(db_url):
    async with live_stack(db_url) as stack, browser(stack) as sam:
        olivia = await olivia_chats(stack)
        conversation = olivia.conversation_id
        token = await signed_in(sam, SAM, SAM_PASSWORD)

        queue = await sam.get("/console/queue")
        assert 'href="/console/live"' in queue.text
        page = await sam.get("/console/live")
        assert page.status_code == 200
        assert "Olivia Owner" in page.text and "Demo Kitchen Group" in page.text
        assert TAKE_FORM.findall(page.text) == [conversation]

        taken = await take(sam, token, conversation)

        handoff = handoff_of(stack, conversation)
        assert handoff is not None
        assert taken.status_code == 303
        assert taken.headers["location"] == f"/console/handoffs/{handoff.id}"
        assert (handoff.reason, handoff.state) == ("agent", "taken")
        assert handoff.agent_id == stack.agent_id(SAM)
        recent = handoff.packet["recent_messages"]
        assert [(m["sender"], m["text"]) for m in recent] == [
            ("user", "what are my orders today"),
            ("bot", "echo: what are my orders today"),
        ]
        assert await olivia.turn() == [JOINED]
        assert "pause" in stack.rasa.appended(conversation)
        view = await sam.get(taken.headers["location"])
        assert "Conversation with Olivia Owner" in view.text
        assert "what are my orders today" in view.text  # the earlier messages
        listed = await sam.get("/console/live")
        assert TAKE_FORM.findall(listed.text) == []  # with support: no Take any more
        assert f'href="/console/handoffs/{handoff.id}"' in listed.text

        sent_to_rasa = len(stack.rasa.messages(conversation))
        assert await olivia.say("is anyone there?") == []
        assert stack.from_user(conversation) == ["is anyone there?"]
        assert len(stack.rasa.messages(conversation)) == sent_to_rasa

        back = await sam.post(
            f"/console/handoffs/{handoff.id}/return", headers={"X-CSRF-Token": token}
        )
        assert back.status_code == 200, back.text
        assert BACK in " ".join(await olivia.turn())
        assert await olivia.say("thanks") == ["echo: thanks"]
        await olivia.client.disconnect()


async def test_the_second_agent_is_told_who_has_it_and_nothing_changes_without_csrf(db_url):
    async with live_stack(db_url) as stack, browser(stack) as sam, browser(stack) as ana:
        olivia = await olivia_chats(stack)
        conversation = olivia.conversation_id
        sam_token = await signed_in(sam, SAM, SAM_PASSWORD)
        ana_token = await signed_in(ana, ANA, ANA_PASSWORD)

        forged = await ana.post("/console/live/take", data={"conversation_id": conversation})
        assert forged.status_code == 403
        assert handoff_of(stack, conversation) is None

        by_sam, by_ana = await asyncio.gather(
            take(sam, sam_token, conversation), take(ana, ana_token, conversation)
        )

        statuses = sorted([by_sam.status_code, by_ana.status_code])
        assert statuses == [303, 409]
        winner, loser = ("Sam", by_ana) if by_sam.status_code == 303 else ("Ana", by_sam)
        assert f"{winner} is already handling this conversation" in loser.text
        assert stack.handoff_states(conversation) == ["taken"]  # one handoff, one holder
        assert await olivia.turn() == [f"{winner} from support has joined the conversation."]
        unknown = await take(ana, ana_token, "web:1:ffffffffffffffff")
        assert unknown.status_code == 404
        assert "This conversation is no longer live." in unknown.text
        await olivia.client.disconnect()


async def test_activity_is_reported_at_most_every_twenty_seconds(db_url):
    async with live_stack(db_url) as stack:
        olivia = await olivia_chats(stack)
        first = seen_at(stack, olivia.conversation_id)

        assert await olivia.say("and tomorrow?") == ["echo: and tomorrow?"]
        await asyncio.sleep(0.5)

        assert seen_at(stack, olivia.conversation_id) == first  # throttled
        live = await stack.platform.get("/internal/conversations/live")
        assert [item["user"]["name"] for item in live.json()] == ["Olivia Owner"]
        await olivia.client.disconnect()


def presence(stack: HandoffStack, email: str) -> tuple[bool, Any]:
    return stack.query(
        lambda s: s.execute(
            select(Agent.online, Agent.last_seen_at).where(Agent.email == email)
        ).one()
    )


async def test_a_connected_online_agent_stays_seen_and_an_offline_one_is_not_marked(db_url):
    async with live_stack(db_url, agent_heartbeat_seconds=0.2) as stack, browser(stack) as sam:
        token = await signed_in(sam, SAM, SAM_PASSWORD)
        _, signed_in_at = presence(stack, SAM)
        socket = socketio.AsyncClient(reconnection=False)
        cookie = f"console_session={sam.cookies.get('console_session')}"
        await connect_socket(
            socket, stack.gateway_url, namespaces=["/console"], headers={"Cookie": cookie}
        )
        try:
            assert await eventually(lambda: presence(stack, SAM)[1] > signed_in_at)
            assert presence(stack, SAM)[0] is True

            away = await sam.post(
                "/console/online", json={"online": False}, headers={"X-CSRF-Token": token}
            )
            assert away.status_code == 200
            await asyncio.sleep(0.6)  # three heartbeats
            assert presence(stack, SAM)[0] is False
        finally:
            await socket.disconnect()

        back = await sam.post(
            "/console/online", json={"online": True}, headers={"X-CSRF-Token": token}
        )
        assert back.status_code == 200
        _, marked_at = presence(stack, SAM)
        await asyncio.sleep(0.6)  # no socket: no heartbeat
        assert presence(stack, SAM)[1] == marked_at


async def test_an_agent_coming_online_sees_how_many_wait_and_for_how_long(db_url):
    async with live_stack(db_url) as stack, browser(stack) as sam:
        await open_handoff(stack, "0123456789abcdef")
        await open_handoff(stack, "fedcba9876543210")

        token = await signed_in(sam, SAM, SAM_PASSWORD)
        queue = await sam.get("/console/queue")
        assert re.search(
            r'id="waiting-banner"[^>]*>2 conversations waiting, oldest \d+ s<', queue.text
        )

        await sam.post("/console/online", json={"online": False}, headers={"X-CSRF-Token": token})
        away = await sam.get("/console/queue")
        assert re.search(r'id="waiting-banner"[^>]*hidden', away.text)


def test_a_queue_row_shows_the_sms_callback_the_user_asked_for():
    item = {
        "id": 7,
        "waiting_seconds": 30,
        "organization": {"id": 1, "name": "Harbor Pizza"},
        "user": {"id": 2, "name": "Hank"},
        "channel": "sms",
        "reason": "asked",
        "state": "waiting",
        "agent": None,
        "sms_callback": "••••1234",
    }
    rows = queue_rows([item, {**item, "id": 8, "sms_callback": None}])

    assert [row["sms_callback"] for row in rows] == ["SMS callback ••••1234", ""]
    assert json.dumps(rows)  # what console.js gets over socket.io
