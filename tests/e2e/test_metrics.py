"""/metrics of the gateway while users talk: every scrape (whichever gateway process
answers it — two under the production profile) counts every message of every process."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.launcher import Stack

pytestmark = pytest.mark.e2e

WEB_MESSAGES = re.compile(r'^ma_messages_total\{channel="web"\} (\S+)$', re.MULTILINE)


def web_messages(stack: Stack) -> float:
    """The gateway's count of web messages, from a scrape on a new connection."""
    with httpx.Client() as fresh:  # a new connection: the kernel picks the process
        answer = fresh.get(f"{stack.gateway_url}/metrics", timeout=30)
    answer.raise_for_status()
    found = WEB_MESSAGES.search(answer.text)
    return float(found.group(1)) if found else 0.0


async def test_every_scrape_counts_the_messages_of_every_gateway_process(chat, stack) -> None:
    before = web_messages(stack)
    users = [await chat("olivia") for _ in range(4)]  # spread over the processes
    for user in users:
        await user.say("hi")
    counts = {web_messages(stack) for _ in range(8)}
    assert len(counts) == 1, counts  # the same sum whichever process answered
    assert counts.pop() >= before + len(users)
