"""The handoff test stack: the gateway under uvicorn, the real platform app in process
(fresh demo database) and a Rasa stand-in whose ``contact_support`` turn runs the real
``action_contact_support`` against that platform.

The Rasa stand-in speaks Rasa's protocols: the REST webhook (a paused tracker answers
nothing), ``GET /conversations/{id}/tracker`` (``paused``) and
``POST /conversations/{id}/tracker/events`` (pause / resume, token required), and
records everything it receives.

With a Twilio stand-in (``twilio=``) the gateway's SMS channel is on: a test texts in
through the signed webhook and reads what was texted back from the stand-in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import socketio
from pydantic import SecretStr
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.support import ActionContactSupport
from bot.config import Settings
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.sms_webhook import post_sms
from bot.gateway.app import create_app
from bot.gateway.runtime import GatewayRuntime
from bot.identity import sign_session
from bot.platform.api import create_app as create_platform_app
from bot.platform.db import make_engine, session_factory
from bot.platform.demo import load_demo
from bot.platform.models import Agent, Handoff, HandoffMessage, User
from bot.platform_client import PlatformClient
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings
from tests.integration.sockets import connect_socket
from tests.integration.test_gateway_webchat import serve
from tests.unit.trackers import tracker

SESSION_SECRET = "test-session-secret-0123456789abcdef"
RASA_TOKEN = "test-rasa-api-token"
ASK_FOR_A_PERSON = "I want to talk to a person"
INTERNAL = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
TWILIO_ACCOUNT_SID = "AC" + "6b" * 16
TWILIO_AUTH_TOKEN = "test-twilio-auth-token-handoff-0123"
SMS_PUBLIC_URL = "https://sms.example.test/handoff"
SUPPORT_PHONE = "+15550001000"
RESUMED = ["resume", "action:action_listen"]  # resume, then listen (else Rasa stays silent)


def hours_around_now() -> str:
    """SUPPORT_HOURS from an hour ago to an hour from now (New York): "now" is within."""
    now = datetime.now(ZoneInfo("America/New_York"))
    return f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"


class Recording(httpx.AsyncBaseTransport):
    """A transport that notes each request's path, then sends it on."""

    def __init__(self, transport: httpx.AsyncBaseTransport, paths: list[str]) -> None:
        self._transport = transport
        self._paths = paths

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._paths.append(request.url.path)
        return await self._transport.handle_async_request(request)


@dataclass
class RasaStandIn:
    """Rasa with one real action: ``ASK_FOR_A_PERSON`` runs action_contact_support."""

    platform: PlatformClient
    received: list[dict[str, Any]] = field(default_factory=list)  # webhook bodies
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # appended
    paused: set[str] = field(default_factory=set)
    events_down: bool = False  # its HTTP API answers 503
    # the action runs (the handoff opens) but the webhook answers nothing, as Rasa does
    # when its action server failed after the platform acted
    answers_lost: bool = False
    button_titles: dict[str, str] = field(default_factory=dict)  # payload -> title offered

    def messages(self, conversation_id: str) -> list[str]:
        return [b["message"] for b in self.received if b["sender"] == conversation_id]

    def appended(self, conversation_id: str) -> list[str]:
        return [
            f"action:{event['name']}" if event["event"] == "action" else event["event"]
            for cid, event in self.events
            if cid == conversation_id
        ]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            return await self._webhook(json.loads(request.content))
        if not path.startswith("/conversations/"):
            return httpx.Response(404)
        if request.url.params.get("token") != RASA_TOKEN:
            return httpx.Response(401)
        if self.events_down:
            return httpx.Response(503)
        conversation_id = path.split("/")[2]
        if path.endswith("/tracker/events") and request.method == "POST":
            body = json.loads(request.content)  # one event or a list, as Rasa accepts
            for event in body if isinstance(body, list) else [body]:
                self.events.append((conversation_id, event))
                if event["event"] == "pause":
                    self.paused.add(conversation_id)
                elif event["event"] == "resume":
                    self.paused.discard(conversation_id)
            return httpx.Response(200, json={"sender_id": conversation_id})
        if path.endswith("/tracker") and request.method == "GET":
            return httpx.Response(200, json={"paused": conversation_id in self.paused})
        return httpx.Response(404)

    async def _webhook(self, body: dict[str, Any]) -> httpx.Response:
        self.received.append(body)
        sender, message = body["sender"], body["message"]
        if sender in self.paused:  # Rasa records it and predicts nothing
            return httpx.Response(200, json=[])
        if message != ASK_FOR_A_PERSON:
            return httpx.Response(200, json=[{"recipient_id": sender, "text": f"echo: {message}"}])
        dispatcher = CollectingDispatcher()
        shape = tracker(message, "contact_support", body["metadata"]["identity"])
        events = await ActionContactSupport(self.platform).run(dispatcher, shape, {})
        if self.answers_lost:
            return httpx.Response(200, json=[])
        if {"event": "pause", "timestamp": None} in events:
            self.paused.add(sender)
        answer = []
        for message in dispatcher.messages:  # as Rasa's REST channel answers them
            buttons = message.get("buttons") or []
            self.button_titles.update({b["payload"]: b["title"] for b in buttons})
            said = {"recipient_id": sender, "text": message["text"]}
            answer.append({**said, "buttons": buttons} if buttons else said)
            if message.get("custom"):
                answer.append({"recipient_id": sender, "custom": message["custom"]})
        return httpx.Response(200, json=answer)


class Widget:
    """A browser widget: its conversation, bot messages and completed turns."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.uttered: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.turns: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("bot_uttered", self.uttered.put)
        self.client.on("bot_turn_complete", self.turns.put)
        self.conversation_id = ""
        self.buttons: dict[str, str] = {}  # title -> the opaque id the gateway issued

    async def open(self, url: str, user_id: int) -> Widget:
        token = sign_session(user_id, SESSION_SECRET, 600)
        await connect_socket(self.client, url, auth={"token": token})
        await self.client.emit("session_request", {"session_id": None})
        self.conversation_id = await asyncio.wait_for(self.confirmed.get(), 5)
        return self

    async def say(self, text: str) -> list[str]:
        """Send ``text``; the texts of the turn's replies (none while with support)."""
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": self.conversation_id}
        )
        return await self.turn()

    async def press(self, title: str) -> list[str]:
        """Press the button ``title`` offered earlier; the texts of the turn's replies."""
        await self.client.emit(
            "user_uttered", {"message": self.buttons[title], "session_id": self.conversation_id}
        )
        return await self.turn()

    async def turn(self) -> list[str]:
        """The texts of the next completed turn (a user's or one the gateway pushed); its
        buttons are remembered for :meth:`press`."""
        count = (await asyncio.wait_for(self.turns.get(), 10))["count"]
        said = [await asyncio.wait_for(self.uttered.get(), 5) for _ in range(count)]
        for message in said:
            for reply in message.get("quick_replies") or []:
                self.buttons[reply["title"]] = reply["payload"]
        return [message["text"] for message in said]


@dataclass
class HandoffStack:
    gateway_url: str
    runtime: GatewayRuntime
    platform: httpx.AsyncClient  # the platform app, internal token
    rasa: RasaStandIn
    db_url: str
    twilio: FakeTwilioServer | None = None
    asked: list[str] = field(default_factory=list)  # paths the gateway asked the platform

    def asked_about_handoffs(self) -> int:
        """How many times the gateway asked the platform for an open handoff."""
        return self.asked.count("/internal/handoffs/active")

    async def text(self, phone: str, body: str) -> None:
        """``phone`` texts ``body`` in (a signed Twilio webhook; processed in the
        background: wait for what it does)."""
        response = await post_sms(
            self.gateway_url,
            TWILIO_AUTH_TOKEN,
            phone,
            body,
            to=SUPPORT_PHONE,
            account_sid=TWILIO_ACCOUNT_SID,
            public_url=SMS_PUBLIC_URL,
        )
        assert response.status_code == 200, response.text

    async def texted(self, phone: str, count: int) -> list[str]:
        """The first ``count`` texts sent to ``phone`` (waiting for them to be sent)."""
        assert self.twilio is not None, "the stack has no Twilio stand-in"
        sent = await asyncio.to_thread(self.twilio.wait_for_messages, phone, count, 20)
        return [message["body"] for message in sent]

    def query(self, fn: Any) -> Any:
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                return fn(session)
        finally:
            engine.dispose()

    def user_id(self, email: str) -> int:
        return self.query(lambda s: s.scalars(select(User.id).where(User.email == email)).one())

    def agent_id(self, email: str) -> int:
        return self.query(lambda s: s.scalars(select(Agent.id).where(Agent.email == email)).one())

    def handoff_states(self, conversation_id: str) -> list[str]:
        statement = select(Handoff.state).where(Handoff.conversation_id == conversation_id)
        return self.query(lambda s: list(s.scalars(statement.order_by(Handoff.id))))

    def stored(self, conversation_id: str) -> list[tuple[str, str]]:
        """(sender, text) of the conversation's handoff messages, in order."""
        statement = (
            select(HandoffMessage.sender, HandoffMessage.text)
            .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(HandoffMessage.id)
        )
        return self.query(lambda s: [tuple(row) for row in s.execute(statement)])

    def from_user(self, conversation_id: str) -> list[str]:
        """The user's messages stored for support (system notes left out)."""
        return [said for sender, said in self.stored(conversation_id) if sender == "user"]

    async def active(self, conversation_id: str) -> dict[str, Any]:
        response = await self.platform.get(
            "/internal/handoffs/active", params={"conversation_id": conversation_id}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def agent_post(self, path: str, agent: str, body: dict | None = None) -> dict:
        """An agent's action on the platform, as the console sends it."""
        headers = {"X-Agent-Id": str(self.agent_id(agent))}
        response = await self.platform.post(path, json=body or {}, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()


@asynccontextmanager
async def handoff_stack(
    db_url: str, support_hours: str, twilio: FakeTwilioServer | None = None
) -> AsyncIterator[HandoffStack]:
    """The gateway with the real platform in process and Rasa stood in (and, with
    ``twilio``, the SMS channel on, texting through that stand-in)."""
    load_demo(db_url)
    platform_app = create_platform_app(make_settings(db_url, support_hours=support_hours))
    transport = httpx.ASGITransport(app=platform_app)
    action_client = PlatformClient("http://platform.test", transport=transport)
    rasa = RasaStandIn(action_client)
    sms: dict[str, Any] = {}
    if twilio is not None:
        twilio.clear()
        sms = {
            "twilio_account_sid": TWILIO_ACCOUNT_SID,
            "twilio_auth_token": SecretStr(TWILIO_AUTH_TOKEN),
            "twilio_api_base_url": twilio.url,
            "sms_public_url": SMS_PUBLIC_URL,
            "support_phone": SUPPORT_PHONE,
        }
    settings = Settings(
        _env_file=None,
        session_secret=SecretStr(SESSION_SECRET),
        identity_secret=SecretStr(IDENTITY_SECRET),
        internal_token=SecretStr(INTERNAL_TOKEN),
        rasa_token=SecretStr(RASA_TOKEN),
        platform_url="http://platform.test",
        rasa_url="http://rasa.test",
        **sms,
    )
    asked: list[str] = []
    gateway = create_app(
        settings,
        platform_transport=Recording(transport, asked),
        rasa_transport=httpx.MockTransport(rasa.handle),
    )
    async with (
        serve(gateway) as url,
        httpx.AsyncClient(
            transport=transport, base_url="http://platform.test", headers=INTERNAL
        ) as platform,
    ):
        yield HandoffStack(url, gateway.state.runtime, platform, rasa, db_url, twilio, asked)
    await action_client.aclose()
    platform_app.state.platform.dispose()
