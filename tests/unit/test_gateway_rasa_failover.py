"""The gateway's Rasa client over several workers sharing one tracker store (Rasa
stand-ins behind an httpx transport): a conversation stays on its worker; a worker that
refuses connections is routed around; a worker that dies mid-turn loses nothing and
answers nothing twice."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.gateway.rasa_client import RasaClient, RasaUnavailable

WORKERS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]


class Workers:
    """Three Rasa workers over one tracker store; each can be down or die mid-turn."""

    def __init__(self) -> None:
        self.trackers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.down: set[str] = set()
        self.die_after_store: set[str] = set()  # dies once the turn is stored
        self.die_before_store: set[str] = set()  # dies before storing anything
        self.turns: Counter[str] = Counter()  # worker → turns run to the end
        self.served: dict[str, set[str]] = defaultdict(set)  # conversation → workers
        self.dead_tickets: set[str] = set()  # Rasa locks a dead worker left behind
        self.lost_without_dying: set[str] = set()  # connection drops, worker lives on
        self.on_death: Callable[[str], None] = lambda worker: None

    def handle(self, request: httpx.Request) -> httpx.Response:
        worker = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if worker in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/webhooks/rest/webhook":
            return self._turn(worker, request)
        if request.url.path == "/version":
            return httpx.Response(200, json={"version": "3.6.21"})
        conversation = request.url.path.split("/")[2]
        return httpx.Response(200, json={"events": self.trackers[conversation], "paused": False})

    def _turn(self, worker: str, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sender, text = body["sender"], body["message"]
        if sender in self.dead_tickets:  # queued behind a ticket nobody will finish
            raise httpx.ReadTimeout("no answer", request=request)
        if worker in self.die_before_store:
            self.die_before_store.discard(worker)
            self.down.add(worker)
            self.dead_tickets.add(sender)
            self.on_death(worker)
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        if worker in self.lost_without_dying:
            self.lost_without_dying.discard(worker)
            raise httpx.ReadError("connection reset", request=request)
        answer = {"recipient_id": sender, "text": f"answer to {text}"}
        self.trackers[sender] += [
            {"event": "user", "text": text, "metadata": body["metadata"]},
            {"event": "bot", "text": answer["text"], "data": {"buttons": None}},
        ]
        self.turns[worker] += 1
        self.served[sender].add(worker)
        if worker in self.die_after_store:
            self.die_after_store.discard(worker)
            self.down.add(worker)
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        return httpx.Response(200, json=[answer])


@pytest.fixture
def workers() -> Workers:
    return Workers()


@pytest.fixture
async def client(workers: Workers):
    async def forget_lock(conversation_id: str) -> None:  # what the gateway does in Redis
        workers.dead_tickets.discard(conversation_id)
        forgotten.append(conversation_id)

    forgotten: list[str] = []
    rasa = RasaClient(
        WORKERS,
        5,
        transport=httpx.MockTransport(workers.handle),
        api_token="t",
        forget_lock=forget_lock,
    )
    rasa.forgotten = forgotten  # type: ignore[attr-defined]
    yield rasa
    await rasa.aclose()


async def test_each_conversation_stays_on_one_worker_and_all_workers_serve(
    client: RasaClient, workers: Workers
) -> None:
    for n in range(30):
        for turn in range(3):
            await client.send(f"web:{n + 1}:{n:016x}", f"m{turn}", "token", "web")
    assert all(len(served) == 1 for served in workers.served.values())
    assert set(workers.turns) == set(WORKERS)


async def test_a_worker_refusing_connections_moves_only_its_conversations(
    client: RasaClient, workers: Workers
) -> None:
    conversations = [f"web:{n + 1}:{n:016x}" for n in range(30)]
    home = {c: client.workers.pick(c) for c in conversations}
    workers.down.add(WORKERS[0])
    for conversation in conversations:
        answer = await client.send(conversation, "hello", "token", "web")
        assert answer == [{"recipient_id": conversation, "text": "answer to hello"}]
    for conversation in conversations:
        (served,) = workers.served[conversation]
        assert served != WORKERS[0]
        if home[conversation] != WORKERS[0]:
            assert served == home[conversation]  # the others did not move


async def test_a_turn_stored_before_the_worker_died_is_answered_once(
    client: RasaClient, workers: Workers
) -> None:
    conversation = "web:1:00000000000000aa"
    workers.die_after_store.add(client.workers.pick(conversation))
    answer = await client.send(conversation, "cancel DD-1001", "token", "web")
    assert [m["text"] for m in answer] == ["answer to cancel DD-1001"]
    assert sum(workers.turns.values()) == 1  # not run again elsewhere
    assert [e["text"] for e in workers.trackers[conversation] if e["event"] == "user"] == [
        "cancel DD-1001"
    ]


async def test_a_turn_lost_before_it_was_stored_is_run_by_the_next_worker(
    client: RasaClient, workers: Workers
) -> None:
    conversation = "web:1:00000000000000bb"
    first = client.workers.pick(conversation)
    workers.die_before_store.add(first)
    answer = await client.send(conversation, "status", "token", "web")
    assert [m["text"] for m in answer] == ["answer to status"]
    assert workers.turns[first] == 0 and sum(workers.turns.values()) == 1
    assert len(workers.trackers[conversation]) == 2  # one user event, one bot event


async def test_the_lock_a_dead_worker_held_is_dropped_before_the_resend(
    client: RasaClient, workers: Workers
) -> None:
    conversation = "web:1:00000000000000dd"
    workers.die_before_store.add(client.workers.pick(conversation))
    answer = await client.send(conversation, "status", "token", "web")
    assert [m["text"] for m in answer] == ["answer to status"]
    assert client.forgotten == [conversation]  # type: ignore[attr-defined]


async def test_the_dead_worker_is_the_one_recovered_from_even_when_already_marked_down(
    client: RasaClient, workers: Workers
) -> None:
    conversation = "web:1:00000000000000de"
    victim = client.workers.pick(conversation)
    workers.die_before_store.add(victim)
    # another conversation's recovery marks the victim down while this turn fails
    workers.on_death = client.workers.mark_down
    answer = await client.send(conversation, "status", "token", "web")
    assert [m["text"] for m in answer] == ["answer to status"]
    assert client.forgotten == [conversation]  # type: ignore[attr-defined]
    assert client.workers.pick("web:1:00000000000000ff") in WORKERS  # the others stay up


async def test_without_dropping_it_the_resend_waits_behind_the_dead_ticket(
    workers: Workers,
) -> None:
    rasa = RasaClient(WORKERS, 5, transport=httpx.MockTransport(workers.handle), api_token="t")
    conversation = "web:1:00000000000000dd"
    workers.die_before_store.add(rasa.workers.pick(conversation))
    with pytest.raises(RasaUnavailable):
        await rasa.send(conversation, "status", "token", "web")
    await rasa.aclose()


async def test_a_worker_still_alive_keeps_its_lock(client: RasaClient, workers: Workers) -> None:
    conversation = "web:1:00000000000000ee"
    workers.lost_without_dying.add(client.workers.pick(conversation))
    answer = await client.send(conversation, "status", "token", "web")
    assert [m["text"] for m in answer] == ["answer to status"]
    assert client.forgotten == []  # type: ignore[attr-defined]


async def test_every_worker_down_is_rasa_unavailable(client: RasaClient, workers: Workers) -> None:
    workers.down.update(WORKERS)
    with pytest.raises(RasaUnavailable):
        await client.send("web:1:00000000000000cc", "hi", "token", "web")
