"""The gateway's repair paths over real sockets: the continue endpoint and codes in chat.

The gateway runs in-process under uvicorn; Rasa (REST webhook and trigger_intent) and
the platform's internal API are httpx MockTransport stand-ins that record every
request; the python-socketio AsyncClient plays the browser widget.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
from pydantic import SecretStr

from bot.gateway.app import create_app
from bot.identity import Identity, sign_session, verify_identity
from tests.integration.sockets import connect_socket
from tests.integration.test_gateway_webchat import (
    IDENTITY_SECRET,
    INTERNAL_TOKEN,
    SESSION_SECRET,
    USERS,
    serve,
    settings_for,
)

RASA_TOKEN = "test-rasa-api-token"
CONTINUE = "/internal/conversations/continue"
RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'
LATER = '/repair_later{"account_id":"ue-main"}'
AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


class StandIns:
    """Rasa and the platform behind MockTransports, recording what they receive."""

    def __init__(self) -> None:
        self.webhook: list[dict[str, Any]] = []
        self.triggers: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.codes: list[dict[str, Any]] = []
        self.pending: set[str] = set()  # conversations waiting for a code
        self.platform_down = False

    async def rasa(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if request.url.path == "/webhooks/rest/webhook":
            self.webhook.append(body)
            sender, message = body["sender"], body["message"]
            if message.startswith("slow"):
                await asyncio.sleep(0.3)
            if message == "offer buttons":
                buttons = [
                    {"title": "Reconnect", "payload": RECONNECT},
                    {"title": "Later", "payload": LATER},
                ]
                return httpx.Response(
                    200, json=[{"recipient_id": sender, "text": "Fix?", "buttons": buttons}]
                )
            return httpx.Response(200, json=[{"recipient_id": sender, "text": f"echo: {message}"}])
        if request.url.path.endswith("/trigger_intent"):
            self.triggers.append((request.url.raw_path.decode(), dict(request.url.params), body))
            event = body["entities"].get("pairing_event")
            return httpx.Response(
                200,
                json={
                    "tracker": {},
                    "messages": [
                        {"recipient_id": "x", "text": f"update: {event}"},
                        {"recipient_id": "x", "text": "Both stores are back online."},
                    ],
                },
            )
        return httpx.Response(404)

    def platform(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {INTERNAL_TOKEN}":
            return httpx.Response(401)
        if self.platform_down:
            raise httpx.ConnectError("platform down")
        path = request.url.path
        if path.startswith("/internal/users/"):
            user = USERS.get(int(path.rsplit("/", 1)[1]))
            if user is None:
                return httpx.Response(404)
            return httpx.Response(200, json={**user, "organization": {"id": 1, "name": "Demo"}})
        if path == "/internal/repair/codes":
            body = json.loads(request.content)
            self.codes.append(body)
            if body["conversation_id"] in self.pending:
                return httpx.Response(200, json={"pairing_id": "p" * 32, "outcome": "succeeded"})
            return httpx.Response(404, json={"detail": {"code": "no_pending_code"}})
        return httpx.Response(404)


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[dict[str, Any]]:
    """The gateway on a free port, with Rasa and the platform stand-ins behind it."""
    stand_ins = StandIns()
    settings = settings_for("http://platform.test", "http://rasa.test")
    app = create_app(
        settings.model_copy(update={"rasa_token": SecretStr(RASA_TOKEN)}),
        platform_transport=httpx.MockTransport(stand_ins.platform),
        rasa_transport=httpx.MockTransport(stand_ins.rasa),
    )
    async with serve(app) as url:
        yield {"url": url, "stand_ins": stand_ins}


@pytest.fixture(autouse=True)
def _platform_up(stack) -> None:
    stack["stand_ins"].platform_down = False


class Widget:
    """A scripted widget recording every event, in order, with its name."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.conversation_id = ""
        for name in ("session_confirm", "bot_uttered", "bot_turn_complete"):
            self.client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Any:
        async def record(data: Any) -> None:
            await self.events.put((name, data))

        return record

    async def open(self, url: str, user_id: int) -> Widget:
        token = sign_session(user_id, SESSION_SECRET, 600)
        await connect_socket(self.client, url, auth={"token": token})
        await self.client.emit("session_request", {})
        name, self.conversation_id = await self.next()
        assert name == "session_confirm"
        return self

    async def next(self) -> tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), 5)

    async def turn(self) -> list[dict[str, Any]]:
        """The replies of the next turn, up to its bot_turn_complete."""
        replies = []
        while True:
            name, data = await self.next()
            if name == "bot_turn_complete":
                assert data == {"count": len(replies)}
                return replies
            assert name == "bot_uttered"
            replies.append(data)

    async def say(self, text: str) -> None:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": self.conversation_id}
        )


@pytest.fixture
async def open_widget(stack) -> AsyncIterator[Any]:
    opened: list[Widget] = []

    async def open_(user_id: int = 1) -> Widget:
        widget = await Widget().open(stack["url"], user_id)
        opened.append(widget)
        return widget

    yield open_
    for widget in opened:
        await widget.client.disconnect()


async def post_continue(
    stack: dict[str, Any], body: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=stack["url"]) as client:
        if isinstance(body, (bytes, str)):
            return await client.post(CONTINUE, content=body, headers=headers)
        return await client.post(CONTINUE, json=body, headers=headers)


def continue_body(conversation: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "conversation_id": conversation,
        "user_id": 1,
        "channel": "web",
        "intent": "repair_pairing_update",
        "entities": {"pairing_event": "credentials_submitted"},
    }
    body.update(overrides)
    return body


def triggers_for(stack: dict[str, Any], conversation_id: str) -> list[dict[str, Any]]:
    prefix = f"/conversations/{conversation_id}/trigger_intent"
    return [body for path, _, body in stack["stand_ins"].triggers if path.startswith(prefix)]


def webhook_for(stack: dict[str, Any], conversation_id: str) -> list[str]:
    return [b["message"] for b in stack["stand_ins"].webhook if b["sender"] == conversation_id]


# --- POST /internal/conversations/continue -------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": INTERNAL_TOKEN},
        {"Authorization": f"Basic {INTERNAL_TOKEN}"},
        {"Authorization": "Bearer"},
    ],
    ids=["none", "wrong", "no-scheme", "basic", "empty"],
)
async def test_continue_needs_the_internal_token(stack, headers):
    response = await post_continue(stack, continue_body("web:1:0123456789abcdef"), headers)
    assert response.status_code == 401
    assert response.json() == {"detail": {"code": "unauthorized"}}
    malformed = await post_continue(stack, b"{not json", headers)
    assert malformed.status_code == 401  # the token is checked before the body
    assert triggers_for(stack, "web:1:0123456789abcdef") == []


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"user_id": 2}, 403, "forbidden"),  # someone else's conversation
        ({"conversation_id": "web:2:0123456789abcdef"}, 403, "forbidden"),
        ({"conversation_id": "not-a-conversation"}, 403, "forbidden"),
        ({"intent": "cancel_order"}, 422, "unknown_intent"),
        ({"intent": "repair_reconnect"}, 422, "unknown_intent"),
        ({"entities": {"account_id": "ue-main"}}, 422, "bad_entities"),
        ({"entities": {"pairing_event": {"nested": "x"}}}, 422, "bad_request"),
        ({"entities": {"pairing_event": 3}}, 422, "bad_request"),
        ({"user_id": "1"}, 422, "bad_request"),
        ({"channel": "telegram"}, 422, "channel_mismatch"),
        (
            {"conversation_id": "telegram:1:0123456789abcdef", "channel": "telegram"},
            422,
            "unknown_channel",
        ),
    ],
)
async def test_continue_refuses_what_it_cannot_vouch_for(stack, overrides, status, code):
    triggered = len(stack["stand_ins"].triggers)
    body = continue_body("web:1:0123456789abcdef", **overrides)
    response = await post_continue(stack, body, AUTH)
    assert response.status_code == status
    assert response.json() == {"detail": {"code": code}}
    await asyncio.sleep(0.05)
    assert len(stack["stand_ins"].triggers) == triggered


async def test_continue_answers_202_then_the_replies_reach_the_web_chat(stack, open_widget):
    widget = await open_widget(1)
    other_tab = await Widget().open(stack["url"], 1)
    try:
        response = await post_continue(stack, continue_body(widget.conversation_id), AUTH)
        assert response.status_code == 202
        assert await widget.turn() == [
            {"text": "update: credentials_submitted"},
            {"text": "Both stores are back online."},
        ]
        # Another conversation (even of the same user) hears nothing.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(other_tab.events.get(), 0.3)
    finally:
        await other_tab.client.disconnect()

    ((path, params, body),) = [
        t for t in stack["stand_ins"].triggers if widget.conversation_id in t[0]
    ]
    assert path.startswith(f"/conversations/{widget.conversation_id}/trigger_intent?")
    assert params["token"] == RASA_TOKEN
    assert body["name"] == "repair_pairing_update"
    assert body["entities"]["pairing_event"] == "credentials_submitted"
    identity = verify_identity(body["entities"]["identity"], IDENTITY_SECRET)
    assert identity == Identity(1, widget.conversation_id, "web")


async def test_continue_without_a_channel_uses_the_conversations_own(stack, open_widget):
    widget = await open_widget(2)
    body = continue_body(widget.conversation_id, user_id=2, channel=None)
    body["entities"] = {"pairing_event": "code_submitted"}
    assert (await post_continue(stack, body, AUTH)).status_code == 202
    assert (await widget.turn())[0] == {"text": "update: code_submitted"}


async def test_a_continued_turn_waits_for_the_users_turn_in_flight(stack, open_widget):
    widget = await open_widget(1)
    await widget.say("slow one")
    await asyncio.sleep(0.05)  # the user's turn holds the lock, Rasa is thinking
    response = await post_continue(stack, continue_body(widget.conversation_id), AUTH)
    assert response.status_code == 202
    assert await widget.turn() == [{"text": "echo: slow one"}]
    assert (await widget.turn())[0] == {"text": "update: credentials_submitted"}


# --- 2FA codes typed in chat ----------------------------------------------------------


async def test_a_pending_code_goes_to_the_platform_never_to_rasa(stack, open_widget, caplog):
    widget = await open_widget(1)
    stack["stand_ins"].pending.add(widget.conversation_id)
    with caplog.at_level(logging.DEBUG):
        await widget.say("my code: 246 810")
        replies = await widget.turn()
    assert replies == [{"text": "update: code_submitted"}, {"text": "Both stores are back online."}]
    assert webhook_for(stack, widget.conversation_id) == []
    codes = [c for c in stack["stand_ins"].codes if c["conversation_id"] == widget.conversation_id]
    assert codes == [{"user_id": 1, "conversation_id": widget.conversation_id, "code": "246810"}]
    (trigger,) = triggers_for(stack, widget.conversation_id)
    assert trigger["name"] == "repair_pairing_update"
    assert trigger["entities"]["pairing_event"] == "code_submitted"
    assert verify_identity(trigger["entities"]["identity"], IDENTITY_SECRET).user_id == 1
    assert "246810" not in json.dumps(trigger)
    assert "246810" not in caplog.text and "246 810" not in caplog.text


async def test_without_a_pending_code_the_text_goes_to_rasa(stack, open_widget):
    widget = await open_widget(1)
    await widget.say("order 4821 never arrived")
    assert await widget.turn() == [{"text": "echo: order 4821 never arrived"}]
    assert webhook_for(stack, widget.conversation_id) == ["order 4821 never arrived"]
    assert [
        c["code"]
        for c in stack["stand_ins"].codes
        if c["conversation_id"] == widget.conversation_id
    ] == ["4821"]
    assert triggers_for(stack, widget.conversation_id) == []


async def test_texts_without_a_code_never_reach_the_platform(stack, open_widget):
    widget = await open_widget(1)
    stack["stand_ins"].pending.add(widget.conversation_id)
    await widget.say("cancel DD-1001")
    assert await widget.turn() == [{"text": "echo: cancel DD-1001"}]
    assert not [
        c for c in stack["stand_ins"].codes if c["conversation_id"] == widget.conversation_id
    ]


async def test_platform_down_gets_a_gateway_text_and_nothing_reaches_rasa(stack, open_widget):
    marc = await open_widget(2)  # connects while the platform is up
    stack["stand_ins"].platform_down = True
    await marc.say("246810")
    (reply,) = await marc.turn()
    assert reply["text"].startswith("Je n'ai pas pu vérifier ce code")
    assert webhook_for(stack, marc.conversation_id) == []
    assert triggers_for(stack, marc.conversation_id) == []


# --- one-time buttons -----------------------------------------------------------------


async def test_side_effect_buttons_work_once_then_say_so(stack, open_widget):
    widget = await open_widget(1)
    await widget.say("offer buttons")
    (offer,) = await widget.turn()
    reconnect, later = (q["payload"] for q in offer["quick_replies"])
    answers = []
    for _ in range(2):
        await widget.say(reconnect)
        answers.append(await widget.turn())
        await widget.say(later)
        await widget.turn()
    assert webhook_for(stack, widget.conversation_id) == [
        "offer buttons",
        RECONNECT,
        LATER,
        LATER,  # the used-up reconnect id never reached Rasa
    ]
    assert answers[1] == [{"text": "You already used that button. Ask me again if you need to."}]
