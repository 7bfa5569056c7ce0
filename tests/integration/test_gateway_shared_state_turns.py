"""Turns through two gateway processes on one real Redis (their relays and handoff
routers, with the production profile's shared locks and state): a confirm button pressed
through both at once reaches Rasa once; after an agent took the conversation through one
process, the other routes the user's next message to support, not to Rasa; Redis going
away mid-turn is the "can't answer" text."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis
from redis.asyncio import Redis

from bot.devtools.tcp_proxy import TcpProxy
from bot.gateway.conversations import ConversationLocks
from bot.gateway.handoff import HandoffRouter
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.gateway.rendering import BotReply
from bot.gateway.shared_locks import SharedLocks
from bot.gateway.shared_state import RedisButtons, RedisHandoffCache, RedisTurnCounter, connect
from bot.gateway.texts import text
from bot.identity import Identity
from bot.internal_client import InternalPlatformClient
from tests.conftest import REDIS_URL

SECRET = "identity-secret-for-shared-state-tests-0123"
CANCEL = '/cancel_order_confirm{"order_ref":"DD-1001","reason":"too_busy","request_id":"r1"}'


def conversation() -> str:
    return f"web:3:{uuid.uuid4().hex[:16]}"


@pytest.fixture
async def prefix(redis_url) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    unique = f"test:{uuid.uuid4().hex[:12]}:"
    yield unique
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=unique + "*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
async def clients(redis_url) -> AsyncIterator[tuple[Redis, Redis]]:
    """Two gateway processes' Redis clients (shared state)."""
    a, b = connect(redis_url), connect(redis_url)
    yield a, b
    await a.aclose()
    await b.aclose()


@pytest.fixture
async def locks(clients) -> AsyncIterator[tuple[ConversationLocks, ConversationLocks]]:
    """Two gateway processes' conversation locks (shared through Redis, on each process's
    one client, as the runtime does)."""
    a, b = clients
    yield ConversationLocks(SharedLocks(a)), ConversationLocks(SharedLocks(b))


class Rasa:
    """Rasa's REST webhook: offers a one-time button, records the messages it gets."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        self.messages.append(message)
        if message == "cancel DD-1001":
            buttons = [{"title": "Confirm", "payload": CANCEL}]
            return httpx.Response(200, json=[{"text": "Sure?", "buttons": buttons}])
        return httpx.Response(200, json=[{"text": f"got {message}"}])


def relay(rasa: Rasa, buttons: RedisButtons, locks: ConversationLocks) -> Relay:
    client = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(rasa.handle))
    return Relay(client, buttons, locks, SECRET, 60)


async def turn(gateway: Relay, who: Identity, message: str, language: str = "en") -> list[str]:
    """The texts the user reads after sending ``message``."""
    said: list[BotReply] = []

    async def deliver(replies: list[BotReply]) -> None:
        said.extend(replies)

    await gateway.handle(who, message, language, deliver)
    return [reply.text for reply in said]


async def test_a_confirm_pressed_through_two_gateways_at_once_reaches_rasa_once(
    clients, locks, prefix
) -> None:
    rasa = Rasa()
    gateway_a = relay(rasa, RedisButtons(clients[0], prefix), locks[0])
    gateway_b = relay(rasa, RedisButtons(clients[1], prefix), locks[1])
    who = Identity(3, conversation(), "web")
    said: list[BotReply] = []

    async def deliver(replies: list[BotReply]) -> None:
        said.extend(replies)

    await gateway_a.handle(who, "cancel DD-1001", "en", deliver)
    [confirm] = said[0].buttons
    answers = await asyncio.gather(
        turn(gateway_a, who, confirm.button_id), turn(gateway_b, who, confirm.button_id)
    )
    assert rasa.messages == ["cancel DD-1001", CANCEL]
    assert sorted(answers) == sorted([[f"got {CANCEL}"], [text("button_used", "en")]])


async def test_redis_gone_mid_turn_is_the_cant_answer_text(redis_url, prefix) -> None:
    target = redis.connection.parse_url(REDIS_URL)
    proxy = TcpProxy(target.get("host", "127.0.0.1"), int(target.get("port", 6379))).start()
    client = connect(f"redis://127.0.0.1:{proxy.port}/{target.get('db', 0)}")
    rasa = Rasa()
    # the lock is this process's: only the shared state is cut during the turn
    gateway = relay(rasa, RedisButtons(client, prefix), ConversationLocks())
    who = Identity(3, conversation(), "web")
    try:
        assert await turn(gateway, who, "cancel DD-1001") == ["Sure?"]
        proxy.cut()
        for language in ("en", "fr", "es"):
            said = await turn(gateway, who, "b_0123456789", language)
            assert said == [text("rasa_unavailable", language)]
        proxy.restore()
        assert await turn(gateway, who, "cancel DD-1001") == ["Sure?"]  # back with Redis
    finally:
        await client.aclose()
        proxy.stop()
    assert rasa.messages == ["cancel DD-1001", "cancel DD-1001"]


class CancelledThenRedisCut(Rasa):
    """Rasa confirming a cancellation, with Redis cut while it answers."""

    def __init__(self, proxy: TcpProxy) -> None:
        super().__init__()
        self.proxy = proxy

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.proxy.cut()
        done = "Done: DoorDash cancelled order DD-1001."
        buttons = [{"title": "Remove from active orders", "payload": "/order_remove"}]
        return httpx.Response(200, json=[{"text": done, "buttons": buttons}])


async def test_redis_gone_after_rasa_answered_still_says_what_the_turn_did(
    redis_url, prefix
) -> None:
    """The turn ran (here: a confirmed cancellation); its text must reach the user, not
    "can't answer", even though the buttons after it cannot be issued."""
    target = redis.connection.parse_url(REDIS_URL)
    proxy = TcpProxy(target.get("host", "127.0.0.1"), int(target.get("port", 6379))).start()
    client = connect(f"redis://127.0.0.1:{proxy.port}/{target.get('db', 0)}")
    gateway = relay(CancelledThenRedisCut(proxy), RedisButtons(client, prefix), ConversationLocks())
    try:
        for language in ("en", "fr", "es"):
            proxy.restore()
            said = await turn(gateway, Identity(3, conversation(), "web"), "yes", language)
            assert said == [
                "Done: DoorDash cancelled order DD-1001.",
                text("buttons_unavailable", language),
            ]
    finally:
        await client.aclose()
        proxy.stop()


def session_rasa(calls: list[str]):
    """Rasa answering "ok", with its tracker (no form active) and its session start."""

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={"active_loop": {}})
        if request.url.path.endswith("/execute"):
            return httpx.Response(200, json={"tracker": {}, "messages": []})
        return httpx.Response(200, json=[{"text": "ok"}])

    return handle


async def test_turns_through_two_processes_are_counted_once_for_the_session(
    clients, prefix
) -> None:
    """RASA_SESSION_MAX_TURNS 3, a conversation's messages alternating between two
    gateway processes: a new Rasa session before the 4th and the 7th turn, not the 7th only."""
    calls: list[str] = []
    gateways = [
        Relay(
            RasaClient(
                "http://rasa.test",
                5,
                transport=httpx.MockTransport(session_rasa(calls)),
                api_token="t",
            ),
            RedisButtons(client, prefix),
            ConversationLocks(),
            SECRET,
            60,
            session_max_turns=3,
            turns=RedisTurnCounter(client, prefix),
        )
        for client in clients
    ]
    who = Identity(3, conversation(), "web")
    for n in range(7):
        assert await turn(gateways[n % 2], who, "hi") == ["ok"]
    webhooks_before_starts = [
        calls[:i].count("/webhooks/rest/webhook")
        for i, path in enumerate(calls)
        if path.endswith("/execute")
    ]
    assert webhooks_before_starts == [3, 6]


class Platform:
    """The platform's handoff API: one conversation's open handoff and its messages."""

    def __init__(self) -> None:
        self.handoff: dict[str, Any] | None = None
        self.stored: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/internal/handoffs/active":
            if self.handoff is None:
                return httpx.Response(404, json={"detail": {"code": "not_found"}})
            return httpx.Response(200, json=self.handoff)
        if self.handoff and request.url.path == f"/internal/handoffs/{self.handoff['id']}/messages":
            self.stored.append(json.loads(request.content)["text"])
            return httpx.Response(201, json={"id": len(self.stored), "text": self.stored[-1]})
        return httpx.Response(404, json={"detail": {"code": "not_found"}})


def tracker_api(request: httpx.Request) -> httpx.Response:
    """Rasa's tracker API: not paused yet; events accepted."""
    if request.method == "GET":
        return httpx.Response(200, json={"paused": False})
    return httpx.Response(200, json={})


async def test_a_take_through_one_process_reaches_the_other_at_once(clients, locks, prefix) -> None:
    platform = Platform()
    who = Identity(3, conversation(), "web")
    delivered: dict[str, list[str]] = {"a": [], "b": []}

    def router(name: str, client: Redis, conversation_locks: ConversationLocks) -> HandoffRouter:
        async def deliver(conversation_id: str, replies: list[BotReply]) -> None:
            delivered[name].extend(reply.text for reply in replies)

        routed = HandoffRouter(
            conversation_locks, lambda channel: deliver, RedisHandoffCache(client, prefix)
        )
        routed.bind(
            InternalPlatformClient(
                "http://platform.test", "internal", transport=httpx.MockTransport(platform.handle)
            ),
            RasaClient(
                "http://rasa.test", 5, transport=httpx.MockTransport(tracker_api), api_token="t"
            ),
        )
        return routed

    gateway_a, gateway_b = router("a", clients[0], locks[0]), router("b", clients[1], locks[1])
    async with locks[0].hold(who.conversation_id):  # A's turn: no handoff, to Rasa
        assert await gateway_a.route(who, "hello", "en") is None
    platform.handoff = {"id": 7, "conversation_id": who.conversation_id, "state": "taken"}
    await gateway_b.take(platform.handoff, "Sam Support")  # the agent's console is on B
    assert delivered["b"] == ["Sam from support has joined the conversation."]
    async with locks[0].hold(who.conversation_id):  # within A's 3 s: asked again
        assert await gateway_a.route(who, "are you there?", "en") == []
    assert platform.stored == ["are you there?"]
