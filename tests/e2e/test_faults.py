"""Faults under load against the production profile (E2E_PROFILE=production; run last):
what users saw and what was stored when a Rasa worker dies, the action server dies,
PostgreSQL or Redis is cut."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest

from bot.config import get_settings
from bot.devtools.webchat_client import WebChatUser
from bot.gateway.rasa_workers import RasaWorkers
from bot.launcher import Stack
from tests.e2e.fault_support import Proxies, answered_within

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

SCRIPT = ["hi", "are my integrations ok?", "which stores are disconnected?", "thanks"]
STATUS = "are my integrations ok?"
STATUS_ANSWER = "integrations need attention"
FAILED = ("can't answer", "something went wrong", "couldn't finish", "can't reach")


def user_texts(stack: Stack, conversation_id: str) -> list[str]:
    """The user messages stored in the conversation's tracker (any worker reads it)."""
    token = get_settings().rasa_token.get_secret_value()
    answer = httpx.get(
        f"{stack.rasa_urls[0]}/conversations/{conversation_id}/tracker",
        params={"token": token, "include_events": "ALL"},
        timeout=30,
    )
    answer.raise_for_status()
    return [e["text"] for e in answer.json()["events"] if e.get("event") == "user"]


async def test_a_rasa_worker_killed_mid_load_loses_nothing_and_answers_nothing_twice(
    chat, stack: Stack
) -> None:
    users: list[WebChatUser] = [await chat("olivia") for _ in range(12)]
    workers = RasaWorkers(stack.rasa_urls)
    victim_url = stack.rasa_urls[1]
    on_victim = [u for u in users if workers.pick(str(u.conversation_id)) == victim_url]
    assert on_victim, "no conversation on the worker to kill: run with more users"
    answers: dict[str, list[str]] = {}

    async def talk(user: WebChatUser) -> None:
        said = answers.setdefault(str(user.conversation_id), [])
        for text in SCRIPT:
            said.append((await user.say(text, timeout=60)).text)

    async def kill_soon() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(stack.kill, "rasa-2")

    try:
        await asyncio.gather(*(talk(u) for u in users), kill_soon())
        for conversation, said in answers.items():
            assert len(said) == len(SCRIPT)
            assert all(text and not any(f in text for f in FAILED) for text in said), said
            assert user_texts(stack, conversation) == SCRIPT  # each once, in order
    finally:  # in a thread: the users' sockets keep answering pings meanwhile
        await asyncio.to_thread(stack.restart, "rasa-2", None, 600)
    # back: its conversations return to it and are answered
    turn = await on_victim[0].say(STATUS, timeout=60)
    assert STATUS_ANSWER in turn.text


async def test_the_action_server_dying_mid_turn_is_said_within_ten_seconds(
    chat, stack: Stack
) -> None:
    olivia = await chat("olivia")
    stack.kill("actions")
    try:
        began = time.monotonic()
        turn = await olivia.say(STATUS, timeout=30)
        waited = time.monotonic() - began
        assert "something went wrong" in turn.text and "try again" in turn.text
        assert waited < 10, f"told after {waited:.1f}s"
    finally:
        await asyncio.to_thread(stack.restart, "actions", None, 120)
    turn = await olivia.say(STATUS, timeout=60)
    assert STATUS_ANSWER in turn.text
    assert Counter(user_texts(stack, str(olivia.conversation_id)))[STATUS] == 2


async def test_postgresql_cut_fails_cleanly_and_the_stack_recovers(
    chat, stack: Stack, proxies: Proxies
) -> None:
    olivia = await chat("olivia")
    await olivia.say("hi", timeout=60)
    with proxies.postgres.cut_for_a_while():
        turn = await olivia.say(STATUS, timeout=60)
        assert any(f in turn.text for f in FAILED), turn.text
    _, took = await answered_within(olivia, STATUS, STATUS_ANSWER, seconds=60)
    print(f"answered again {took:.1f}s after PostgreSQL came back")


async def test_redis_cut_fails_cleanly_and_the_stack_recovers(
    chat, stack: Stack, proxies: Proxies
) -> None:
    olivia = await chat("olivia")
    await olivia.say("hi", timeout=60)
    with proxies.redis.cut_for_a_while():
        try:
            turn = await olivia.say(STATUS, timeout=20)
            assert STATUS_ANSWER in turn.text or any(f in turn.text for f in FAILED), turn.text
        except asyncio.TimeoutError:
            pass  # the web chat's replies go through Redis too: nothing arrives while cut
    _, took = await answered_within(olivia, STATUS, STATUS_ANSWER, seconds=60)
    print(f"answered again {took:.1f}s after Redis came back")
