"""Ordering and no loss (both profiles; `make test` runs it on 3 Rasa workers too):
messages sent faster than the bot answers are answered in order, each exactly once, and
every tracker is a clean sequence of turns."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.config import get_settings
from bot.devtools.webchat_client import WebChatUser
from bot.launcher import Stack

pytestmark = pytest.mark.e2e

GRUBHUB, DELIVEROO = "is Grubhub ok?", "is Deliveroo working?"


def tracker_events(stack: Stack, conversation_id: str) -> list[dict]:
    """The conversation's stored events (any Rasa worker reads the shared store)."""
    answer = httpx.get(
        f"{stack.rasa_urls[0]}/conversations/{conversation_id}/tracker",
        params={"token": get_settings().rasa_token.get_secret_value(), "include_events": "ALL"},
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()["events"]


def turns_of(events: list[dict]) -> list[tuple[str, list[str]]]:
    """(user text, the actions of its turn) for each user message; asserts that each turn
    ends with action_listen before the next user message (no interleaving)."""
    turns: list[tuple[str, list[str]]] = []
    for event in events:
        if event.get("event") == "user":
            if turns:
                assert turns[-1][1][-1:] == ["action_listen"], f"turn {turns[-1]} not finished"
            turns.append((str(event.get("text")), []))
        elif event.get("event") == "action" and turns:
            turns[-1][1].append(str(event.get("name")))
    if turns:
        assert turns[-1][1][-1:] == ["action_listen"], f"last turn {turns[-1]} not finished"
    return turns


async def test_twenty_messages_within_100_ms_are_answered_in_order_once(chat, stack: Stack) -> None:
    olivia: WebChatUser = await chat("olivia")
    sent = [GRUBHUB if i % 2 == 0 else DELIVEROO for i in range(20)]
    for text in sent:  # all within a few milliseconds, no waiting for answers
        await olivia.client.emit(
            "user_uttered", {"message": text, "session_id": olivia.conversation_id}
        )
    answers = [await olivia.next_turn(timeout=120) for _ in sent]
    for text, turn in zip(sent, answers, strict=True):
        expected = "Grubhub" if text == GRUBHUB else "Deliveroo"
        assert expected in turn.text, (text, turn.text)
    with pytest.raises(asyncio.TimeoutError):
        await olivia.next_turn(timeout=3)  # nothing answered twice
    turns = turns_of(tracker_events(stack, str(olivia.conversation_id)))
    assert [text for text, _ in turns] == sent


async def test_fifty_conversations_at_once_leave_clean_trackers(chat, stack: Stack) -> None:
    users: list[WebChatUser] = [await chat("olivia") for _ in range(50)]
    script = ["hi", GRUBHUB, "thanks"]

    async def talk(user: WebChatUser) -> list[str]:
        return [(await user.say(text, timeout=180)).text for text in script]

    said = await asyncio.gather(*(talk(user) for user in users))
    assert all(all(answer for answer in answers) for answers in said)
    for user in users:
        turns = turns_of(tracker_events(stack, str(user.conversation_id)))
        assert [text for text, _ in turns] == script
