"""Each conversation stays on one Rasa worker; losing a worker moves only its own
conversations, and they come back when it does."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.gateway.rasa_workers import RasaWorkers

URLS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]
CONVERSATIONS = [f"web:{n}:{n:016x}" for n in range(1, 601)]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_conversation_always_goes_to_the_same_worker_and_the_load_is_spread() -> None:
    first, again = RasaWorkers(URLS), RasaWorkers(list(reversed(URLS)))
    placed = {c: first.pick(c) for c in CONVERSATIONS}
    assert all(again.pick(c) == placed[c] for c in CONVERSATIONS)  # any gateway agrees
    spread = Counter(placed.values())
    assert set(spread) == set(URLS) and min(spread.values()) > 150


def test_a_worker_down_moves_only_its_conversations_and_they_return() -> None:
    clock = Clock()
    workers = RasaWorkers(URLS, retry_seconds=5, clock=clock)
    before = {c: workers.pick(c) for c in CONVERSATIONS}
    workers.mark_down(URLS[1])
    during = {c: workers.pick(c) for c in CONVERSATIONS}
    moved = [c for c in CONVERSATIONS if during[c] != before[c]]
    assert moved and all(before[c] == URLS[1] for c in moved)
    assert URLS[1] not in during.values()
    clock.now += 6  # tried again after the retry time
    assert {c: workers.pick(c) for c in CONVERSATIONS} == before


def test_all_down_still_tries_someone_and_a_worker_that_answers_is_up() -> None:
    workers = RasaWorkers(URLS, clock=Clock())
    for url in URLS:
        workers.mark_down(url)
    assert workers.candidates("web:1:x") == workers.order("web:1:x")
    workers.mark_up(URLS[2] + "/")
    assert workers.pick("web:1:x") == URLS[2]


def test_no_worker_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RasaWorkers([])
