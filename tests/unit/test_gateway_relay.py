"""The channel-neutral relay, with Rasa behind an httpx mock transport."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.conversations import ConversationLocks
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.gateway.rendering import BotReply
from bot.gateway.texts import text
from bot.identity import Identity, verify_identity
from bot.internal_client import InternalPlatformClient

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
    assert await buttons.resolve(WHO.conversation_id, reply.buttons[0].button_id) == "/affirm"

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


# --- repair: codes typed in chat, conversations that continue by themselves ---------

TRIGGER_PATH = f"/conversations/{WHO.conversation_id}/trigger_intent"


class Stack:
    """Rasa and the platform's internal API behind mock transports, recording calls."""

    def __init__(self, platform_answer: httpx.Response | Exception | None = None) -> None:
        self.rasa_calls: list[tuple[str, dict]] = []
        self.platform_calls: list[dict] = []
        self.platform_answer = platform_answer or httpx.Response(
            200, json={"pairing_id": "p" * 32, "outcome": "succeeded"}
        )

    def rasa(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.rasa_calls.append((request.url.raw_path.decode(), body))
        if request.url.path.endswith("/trigger_intent"):
            return httpx.Response(
                200,
                json={
                    "tracker": {},
                    "messages": [
                        {"recipient_id": WHO.conversation_id, "text": "Connected again!"},
                        {
                            "recipient_id": WHO.conversation_id,
                            "text": "Anything else?",
                            "buttons": [{"title": "Reconnect", "payload": RECONNECT}],
                        },
                    ],
                },
            )
        return httpx.Response(200, json=[{"text": f"echo: {body['message']}"}])

    def platform(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/internal/repair/codes"
        assert request.headers["authorization"] == "Bearer internal"
        self.platform_calls.append(json.loads(request.content))
        if isinstance(self.platform_answer, Exception):
            raise self.platform_answer
        return self.platform_answer

    def relay(self, max_turns: int = 0) -> tuple[Relay, ButtonRegistry]:
        buttons = ButtonRegistry()
        rasa = RasaClient(
            "http://rasa.test", 5, transport=httpx.MockTransport(self.rasa), api_token="api-token"
        )
        platform = InternalPlatformClient(
            "http://platform.test", "internal", transport=httpx.MockTransport(self.platform)
        )
        locks = ConversationLocks()
        return Relay(rasa, buttons, locks, SECRET, 60, max_turns, platform=platform), buttons


RECONNECT = '/repair_reconnect{"account_id":"ue-main"}'


async def test_a_pending_code_goes_to_the_platform_and_rasa_only_learns_it_was_submitted():
    stack = Stack()
    relay, buttons = stack.relay()
    replies = await run(relay, "my code: 246 810")
    assert stack.platform_calls == [
        {"user_id": WHO.user_id, "conversation_id": WHO.conversation_id, "code": "246810"}
    ]
    ((path, body),) = stack.rasa_calls
    assert path.startswith(TRIGGER_PATH + "?")  # the colons are not percent-encoded
    assert body["name"] == "repair_pairing_update"
    assert set(body["entities"]) == {"pairing_event", "identity"}
    assert body["entities"]["pairing_event"] == "code_submitted"
    assert verify_identity(body["entities"]["identity"], SECRET) == WHO
    assert "246810" not in json.dumps(body)
    assert [r.text for r in replies] == ["Connected again!", "Anything else?"]
    # A side-effect button of a triggered turn is one-time, too.
    assert await buttons.resolve(WHO.conversation_id, replies[1].buttons[0].button_id) == RECONNECT
    assert await buttons.resolve(WHO.conversation_id, replies[1].buttons[0].button_id) is None


async def test_no_pending_code_means_the_text_goes_to_rasa():
    stack = Stack(httpx.Response(404, json={"detail": {"code": "no_pending_code"}}))
    relay, _ = stack.relay()
    replies = await run(relay, "order 1234 is late")
    assert len(stack.platform_calls) == 1
    assert [(path.split("?")[0], body["message"]) for path, body in stack.rasa_calls] == [
        ("/webhooks/rest/webhook", "order 1234 is late")
    ]
    assert [r.text for r in replies] == ["echo: order 1234 is late"]


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("refused"), httpx.Response(500), httpx.Response(401)],
    ids=["unreachable", "error", "unauthorized"],
)
async def test_platform_trouble_answers_with_a_gateway_text_and_forwards_nothing(answer, caplog):
    stack = Stack(answer)
    relay, _ = stack.relay()
    with caplog.at_level(logging.DEBUG):
        replies = await run(relay, "246810", "fr")
    assert replies == [BotReply(text("code_unchecked", "fr"))]
    assert stack.rasa_calls == []
    assert "246810" not in caplog.text


async def test_texts_without_a_code_and_buttons_never_ask_the_platform():
    stack = Stack()
    relay, buttons = stack.relay()
    await run(relay, "cancel DD-1001")
    button_id = await buttons.issue(WHO.conversation_id, '/choose{"n":"123456"}')
    await run(relay, button_id)
    assert stack.platform_calls == []
    assert [body["message"] for _, body in stack.rasa_calls] == [
        "cancel DD-1001",
        '/choose{"n":"123456"}',
    ]


async def test_without_a_platform_client_codes_go_to_rasa():
    relay, _ = relay_with(lambda request: httpx.Response(200, json=[{"text": "ok"}]))
    assert [r.text for r in await run(relay, "246810")] == ["ok"]


async def test_the_code_is_never_logged(caplog):
    stack = Stack()
    relay, _ = stack.relay()
    with caplog.at_level(logging.DEBUG):
        await run(relay, "the code is 97 53 18")
    assert "975318" not in caplog.text and "97 53 18" not in caplog.text


async def test_continue_conversation_triggers_and_delivers_under_the_lock():
    stack = Stack()
    relay, _ = stack.relay()
    delivered: list[list[BotReply]] = []

    async def deliver(replies: list[BotReply]) -> None:
        delivered.append(replies)

    entities = {"pairing_event": "credentials_submitted", "identity": "forged"}
    await relay.continue_conversation(WHO, "repair_pairing_update", entities, "en", deliver)
    ((_, body),) = stack.rasa_calls
    assert body["entities"]["pairing_event"] == "credentials_submitted"
    assert verify_identity(body["entities"]["identity"], SECRET) == WHO  # ours, not theirs
    assert [[r.text for r in turn] for turn in delivered] == [
        ["Connected again!", "Anything else?"]
    ]


async def test_a_trigger_rasa_cannot_answer_becomes_an_apology():
    for answer in (httpx.Response(500), httpx.Response(200, json={"tracker": {}}), None):

        def rasa(request: httpx.Request, answer=answer) -> httpx.Response:
            if answer is None:
                raise httpx.ReadTimeout("slow")
            return answer

        relay, _ = relay_with(rasa)
        replies = await relay.trigger(WHO, "repair_pairing_update", {}, "es")
        assert replies == [BotReply(text("rasa_unavailable", "es"))]


async def test_code_turns_count_towards_the_session_rollover():
    calls: list[str] = []
    session_rasa = _session_rasa(calls)

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trigger_intent"):
            calls.append(f"{request.method} {request.url.path}")
            return httpx.Response(200, json={"messages": [{"text": "ok"}]})
        return session_rasa(request)

    stack = Stack()
    relay = Relay(
        RasaClient(
            "http://rasa.test", 5, transport=httpx.MockTransport(rasa), api_token="api-token"
        ),
        ButtonRegistry(),
        ConversationLocks(),
        SECRET,
        60,
        2,
        platform=InternalPlatformClient(
            "http://platform.test", "internal", transport=httpx.MockTransport(stack.platform)
        ),
    )
    await run(relay, "hi")
    await run(relay, "246810")
    await run(relay, "hi")  # the third turn opens a new session first
    assert [c.rsplit("/", 1)[-1] for c in calls] == [
        "webhook",
        "trigger_intent",
        "tracker",
        "execute",
        "webhook",
    ]


def test_code_unchecked_text_exists_in_every_language():
    assert text("code_unchecked", "en").startswith("I couldn't check that code")
    assert text("code_unchecked", "fr") != text("code_unchecked", "en")
    assert text("code_unchecked", "es") != text("code_unchecked", "en")


async def test_only_a_side_effect_button_is_a_confirmed_message():
    bodies: list[dict] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(
            200,
            json=[
                {
                    "text": "Cancel DD-1001?",
                    "buttons": [
                        {"title": "Confirm", "payload": '/cancel_order_confirm{"order_ref":"x"}'},
                        {"title": "Keep it", "payload": "/cancel_order_keep"},
                    ],
                }
            ],
        )

    relay, _ = relay_with(rasa)
    (reply,) = await run(relay, "yes, cancel it")
    confirm, keep = reply.buttons
    await run(relay, keep.button_id)
    await run(relay, confirm.button_id)
    confirmed = [verify_identity(b["metadata"]["identity"], SECRET).confirmed for b in bodies]
    assert confirmed == [False, False, True]
