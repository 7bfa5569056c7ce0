"""The gateway's web chat over real sockets, against stand-ins for Rasa and the platform.

The gateway runs in-process under uvicorn on a free port; Rasa's REST webhook and the
platform's internal API are small stand-in HTTP servers (their protocols, not their
behaviour); the python-socketio AsyncClient plays the browser widget.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request

from bot.config import Settings
from bot.gateway.app import create_app
from bot.identity import Identity, sign_session, verify_identity
from tests.integration.sockets import connect_socket

SESSION_SECRET = "test-session-secret-0123456789abcdef"
IDENTITY_SECRET = "test-identity-secret-0123456789abcdef"
INTERNAL_TOKEN = "test-internal-token"
USERS = {
    1: {"id": 1, "name": "Olivia Owner", "email": "olivia@demo-kitchen.test", "language": "en"},
    2: {"id": 2, "name": "Marc Manager", "email": "marc@demo-kitchen.test", "language": "fr"},
}
RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'
CONVERSATION = re.compile(r"web:1:[0-9a-f]{16}")
BUTTON_ID = re.compile(r"b_[A-Za-z0-9_-]{10}")


def platform_stand_in() -> FastAPI:
    """The platform's internal user lookup, guarded by the internal token."""
    app = FastAPI()

    @app.get("/internal/users/{user_id}")
    async def user(user_id: int, authorization: str = Header("")) -> dict[str, Any]:
        if authorization != f"Bearer {INTERNAL_TOKEN}":
            raise HTTPException(401)
        if user_id not in USERS:
            raise HTTPException(404)
        return {**USERS[user_id], "organization": {"id": 1, "name": "Demo Kitchen Group"}}

    return app


def rasa_stand_in(received: list[dict[str, Any]]) -> FastAPI:
    """Rasa's REST webhook: records every body, echoes, offers buttons, can be slow."""
    app = FastAPI()

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> list[dict[str, Any]]:
        body = await request.json()
        received.append(body)
        sender, message = body["sender"], body["message"]
        if message.startswith("slow "):  # earlier messages wait longer
            await asyncio.sleep((10 - int(message.split()[1])) * 0.02)
        if message == "buttons please":
            return [
                {"recipient_id": sender, "text": "Reconnect Uber Eats — main?"},
                {
                    "recipient_id": sender,
                    "text": "Choose:",
                    "buttons": [
                        {"title": "Reconnect", "payload": RECONNECT},
                        {"title": "Not now", "payload": "/deny"},
                    ],
                },
                {"recipient_id": sender, "image": "https://example.test/x.png"},
            ]
        if message == "crash":
            raise HTTPException(500)
        return [{"recipient_id": sender, "text": f"echo: {message}"}]

    return app


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free port of 127.0.0.1; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def settings_for(platform_url: str, rasa_url: str) -> Settings:
    return Settings(
        _env_file=None,
        session_secret=SESSION_SECRET,
        identity_secret=IDENTITY_SECRET,
        internal_token=INTERNAL_TOKEN,
        platform_url=platform_url,
        rasa_url=rasa_url,
        rasa_timeout=5,
        platform_timeout=5,
    )


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[dict[str, Any]]:
    """Platform stand-in, Rasa stand-in and the gateway, all listening on free ports."""
    received: list[dict[str, Any]] = []
    async with (
        serve(platform_stand_in()) as platform_url,
        serve(rasa_stand_in(received)) as rasa_url,
        serve(create_app(settings_for(platform_url, rasa_url))) as gateway_url,
    ):
        yield {"url": gateway_url, "received": received, "platform_url": platform_url}


class Widget:
    """A scripted browser widget: one socket, its confirmed conversation, its replies."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("bot_uttered", self.replies.put)
        self.conversation_id: str | None = None

    async def connect(self, url: str, auth: Any) -> Widget:
        await connect_socket(self.client, url, auth=auth)
        return self

    async def session(self, session_id: str | None = None) -> str:
        await self.client.emit("session_request", {"session_id": session_id})
        self.conversation_id = await asyncio.wait_for(self.confirmed.get(), 5)
        return self.conversation_id

    async def say(self, text: str, session_id: str | None = None) -> None:
        data = {"message": text, "session_id": session_id or self.conversation_id}
        await self.client.emit("user_uttered", data)

    async def reply(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.replies.get(), 5)

    async def close(self) -> None:
        await self.client.disconnect()


@pytest.fixture
async def widgets() -> AsyncIterator[list[Widget]]:
    opened: list[Widget] = []
    yield opened
    for widget in opened:
        await widget.close()


async def open_chat(stack: dict[str, Any], widgets: list[Widget], user_id: int = 1) -> Widget:
    token = sign_session(user_id, SESSION_SECRET, 600)
    widget = await Widget().connect(stack["url"], {"token": token})
    widgets.append(widget)
    await widget.session()
    return widget


def sent_to_rasa(stack: dict[str, Any], conversation_id: str) -> list[dict[str, Any]]:
    return [body for body in stack["received"] if body["sender"] == conversation_id]


async def test_healthz(stack):
    async with httpx.AsyncClient() as client:
        response = await client.get(stack["url"] + "/healthz")
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"token": "not-a-token"},
        {"token": sign_session(1, "another-secret-0123456789abcdef-xyz", 600)},  # forged
        {"token": sign_session(1, SESSION_SECRET, -10)},  # expired
        {"token": sign_session(999, SESSION_SECRET, 600)},  # unknown user
    ],
    ids=["no-auth", "no-token", "garbage", "forged", "expired", "unknown-user"],
)
async def test_connect_is_refused_without_a_valid_session(stack, auth):
    widget = Widget()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await widget.connect(stack["url"], auth)
    assert not widget.client.connected


async def test_session_request_confirms_a_conversation_the_gateway_names(stack, widgets):
    widget = await open_chat(stack, widgets)
    first = widget.conversation_id
    assert CONVERSATION.fullmatch(first)
    assert await widget.session(first) == first
    fresh = await widget.session()
    assert CONVERSATION.fullmatch(fresh) and fresh != first


@pytest.mark.parametrize(
    "requested",
    ["web:2:0123456789abcdef", "web:1:../../2", "telegram:1:0123456789abcdef", "web:1:ABC", 42],
)
async def test_someone_elses_or_malformed_conversation_is_not_continued(stack, widgets, requested):
    widget = await open_chat(stack, widgets)
    confirmed = await widget.session(requested)
    assert CONVERSATION.fullmatch(confirmed) and confirmed != requested


async def test_user_uttered_reaches_rasa_with_sender_text_and_identity(stack, widgets):
    widget = await open_chat(stack, widgets)
    await widget.say("what's broken?")
    assert await widget.reply() == {"text": "echo: what's broken?"}
    await widget.say("and now?")
    await widget.reply()
    first, second = sent_to_rasa(stack, widget.conversation_id)
    assert first["message"] == "what's broken?"
    assert first["metadata"]["channel"] == "web"
    identity = verify_identity(first["metadata"]["identity"], IDENTITY_SECRET)
    assert identity == Identity(1, widget.conversation_id, "web")
    assert second["metadata"]["identity"] != first["metadata"]["identity"]  # fresh per message


async def test_session_id_in_a_message_cannot_switch_conversation(stack, widgets):
    mine = await open_chat(stack, widgets, user_id=1)
    theirs = await open_chat(stack, widgets, user_id=2)
    await mine.say("hello", session_id=theirs.conversation_id)
    await mine.reply()
    assert [b["message"] for b in sent_to_rasa(stack, mine.conversation_id)] == ["hello"]
    assert sent_to_rasa(stack, theirs.conversation_id) == []


async def test_buttons_arrive_as_opaque_ids_and_map_back_to_payloads(stack, widgets):
    widget = await open_chat(stack, widgets)
    await widget.say("buttons please")
    assert await widget.reply() == {"text": "Reconnect Uber Eats — main?"}
    choose = await widget.reply()
    assert choose["text"] == "Choose:" and set(choose) == {"text", "quick_replies"}
    titles = [(q["content_type"], q["title"]) for q in choose["quick_replies"]]
    assert titles == [("text", "Reconnect"), ("text", "Not now")]
    ids = [q["payload"] for q in choose["quick_replies"]]
    assert all(BUTTON_ID.fullmatch(i) for i in ids) and len(set(ids)) == 2

    await widget.say(ids[0])
    assert await widget.reply() == {"text": f"echo: {RECONNECT}"}
    await widget.say(f"  {ids[1]} ")  # an earlier turn's id stays valid
    assert await widget.reply() == {"text": "echo: /deny"}
    assert [b["message"] for b in sent_to_rasa(stack, widget.conversation_id)] == [
        "buttons please",
        RECONNECT,
        "/deny",
    ]


async def test_an_id_from_another_conversation_is_plain_text(stack, widgets):
    olivia = await open_chat(stack, widgets, user_id=1)
    await olivia.say("buttons please")
    await olivia.reply()
    button_id = (await olivia.reply())["quick_replies"][0]["payload"]

    marc = await open_chat(stack, widgets, user_id=2)
    await marc.say(button_id)
    assert await marc.reply() == {"text": f"echo: {button_id}"}
    await olivia.session()  # Olivia's own next conversation: the id is not valid there either
    await olivia.say(button_id)
    assert await olivia.reply() == {"text": f"echo: {button_id}"}


@pytest.mark.parametrize(
    ("typed", "received"),
    [
        ("/status", "status"),
        ('/cancel_order{"order_id": "DD-1001"}', 'cancel_order{"order_id": "DD-1001"}'),
        ("  / //repair_reconnect", "repair_reconnect"),
        ("x" * 5_000, "x" * 2_000),
    ],
)
async def test_typed_text_reaches_rasa_as_plain_text(stack, widgets, typed, received):
    widget = await open_chat(stack, widgets)
    await widget.say(typed)
    await widget.reply()
    assert [b["message"] for b in sent_to_rasa(stack, widget.conversation_id)] == [received]


async def test_empty_or_slash_only_text_is_ignored(stack, widgets):
    widget = await open_chat(stack, widgets)
    for typed in ("", "   ", "///", " / "):
        await widget.say(typed)
    await widget.say("done")
    assert await widget.reply() == {"text": "echo: done"}
    assert [b["message"] for b in sent_to_rasa(stack, widget.conversation_id)] == ["done"]


async def test_rapid_messages_are_processed_and_answered_in_order(stack, widgets):
    widget = await open_chat(stack, widgets)
    for n in range(10):
        await widget.say(f"slow {n}")
    replies = [(await widget.reply())["text"] for _ in range(10)]
    assert replies == [f"echo: slow {n}" for n in range(10)]
    sent = [b["message"] for b in sent_to_rasa(stack, widget.conversation_id)]
    assert sent == [f"slow {n}" for n in range(10)]


async def test_rasa_error_gets_an_apology_in_the_users_language(stack, widgets):
    marc = await open_chat(stack, widgets, user_id=2)
    await marc.say("crash")
    assert (await marc.reply())["text"].startswith("Désolé")


async def test_rasa_unreachable_gets_an_apology(stack, widgets):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    rasa_url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, never listening
    try:
        async with serve(create_app(settings_for(stack["platform_url"], rasa_url))) as url:
            widget = await Widget().connect(url, {"token": sign_session(1, SESSION_SECRET, 60)})
            widgets.append(widget)
            await widget.session()
            await widget.say("hello")
            assert await widget.reply() == {
                "text": "Sorry, I can't answer right now — please try again in a minute."
            }
            await widget.close()
    finally:
        closed.close()
