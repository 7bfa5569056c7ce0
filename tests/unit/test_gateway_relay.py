"""The channel-neutral relay, with Rasa behind an httpx mock transport."""

from __future__ import annotations

import json

import httpx

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.conversations import ConversationLocks
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.gateway.rendering import BotReply
from bot.gateway.texts import text
from bot.identity import Identity, verify_identity

SECRET = "identity-secret-for-unit-tests-0123456789"
WHO = Identity(3, "web:3:0123456789abcdef", "web")


def relay_with(handler) -> tuple[Relay, ButtonRegistry]:
    buttons = ButtonRegistry()
    rasa = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(handler))
    return Relay(rasa, buttons, ConversationLocks(), SECRET, 60), buttons


async def run(relay: Relay, message: object, language: str = "en") -> list[BotReply]:
    delivered: list[BotReply] = []

    async def deliver(replies: list[BotReply]) -> None:
        delivered.extend(replies)

    await relay.handle(WHO, message, language, deliver)
    return delivered


async def test_a_turn_sends_plain_text_with_a_fresh_identity_and_renders_buttons():
    bodies: list[dict] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        bodies.append(json.loads(request.content))
        return httpx.Response(
            200,
            json=[
                {
                    "recipient_id": WHO.conversation_id,
                    "text": "Sure?",
                    "buttons": [{"title": "Yes", "payload": "/affirm"}],
                }
            ],
        )

    relay, buttons = relay_with(rasa)
    (reply,) = await run(relay, "/cancel DD-1001")
    assert bodies[0]["sender"] == WHO.conversation_id
    assert bodies[0]["message"] == "cancel DD-1001"
    assert bodies[0]["metadata"]["channel"] == "web"
    assert verify_identity(bodies[0]["metadata"]["identity"], SECRET) == WHO
    assert reply.text == "Sure?"
    assert buttons.resolve(WHO.conversation_id, reply.buttons[0].button_id) == "/affirm"

    await run(relay, reply.buttons[0].button_id)
    assert bodies[1]["message"] == "/affirm"


async def test_nothing_to_send_reaches_neither_rasa_nor_the_user():
    def rasa(request: httpx.Request) -> httpx.Response:
        raise AssertionError("Rasa must not be called")

    relay, _ = relay_with(rasa)
    assert await run(relay, " // ") == []
    assert await run(relay, None) == []


async def test_rasa_failures_become_an_apology_in_the_users_language():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    relay, _ = relay_with(down)
    assert await run(relay, "hi", "es") == [BotReply(text("rasa_unavailable", "es"))]

    for response in (
        httpx.Response(500),
        httpx.Response(200, text="oops"),
        httpx.Response(200, json={"not": "a list"}),
    ):
        relay, _ = relay_with(lambda request, response=response: response)
        assert await run(relay, "hi", "fr") == [BotReply(text("rasa_unavailable", "fr"))]


def test_gateway_texts_fall_back_to_english():
    assert text("rasa_unavailable", "fr").startswith("Désolé")
    assert text("rasa_unavailable", "es").startswith("Lo siento")
    assert text("rasa_unavailable", "de") == text("rasa_unavailable", "en")
    assert text("rasa_unavailable", None) == text("rasa_unavailable", "en")
    assert text("rasa_unavailable", "fr-CA") == text("rasa_unavailable", "fr")


def _session_rasa(calls: list[str], active_loop: str | None = None):
    def rasa(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/tracker"):
            assert request.url.params["token"] == "api-token"
            return httpx.Response(200, json={"active_loop": {"name": active_loop}})
        if request.url.path.endswith("/execute"):
            assert json.loads(request.content) == {"name": "action_session_start"}
            return httpx.Response(200, json={"tracker": {}, "messages": []})
        return httpx.Response(200, json=[{"text": "ok"}])

    return rasa


def _bounded_relay(handler, max_turns: int) -> Relay:
    rasa = RasaClient(
        "http://rasa.test", 5, transport=httpx.MockTransport(handler), api_token="api-token"
    )
    return Relay(rasa, ButtonRegistry(), ConversationLocks(), SECRET, 60, max_turns)


async def test_a_long_conversation_gets_a_new_rasa_session_every_n_turns():
    calls: list[str] = []
    relay = _bounded_relay(_session_rasa(calls), max_turns=3)
    for _ in range(7):
        assert [r.text for r in await run(relay, "hi")] == ["ok"]
    starts = [i for i, call in enumerate(calls) if call.endswith("/execute")]
    webhooks = [c for c in calls if c.endswith("/webhook")]
    assert len(webhooks) == 7
    # Turns 4 and 7 each open a new session before their message reaches Rasa.
    assert len(starts) == 2
    assert calls[starts[0] + 1] == "POST /webhooks/rest/webhook"
    assert calls[: starts[0]].count("POST /webhooks/rest/webhook") == 3


async def test_no_new_session_while_a_form_is_active():
    calls: list[str] = []
    relay = _bounded_relay(_session_rasa(calls, active_loop="pairing_form"), max_turns=2)
    for _ in range(4):
        await run(relay, "hi")
    assert not any(c.endswith("/execute") for c in calls)
    assert sum(c.endswith("/webhook") for c in calls) == 4
