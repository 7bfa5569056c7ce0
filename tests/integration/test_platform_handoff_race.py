"""Races and the demo reset: two agents taking one handoff at the same moment (one wins,
the other is told who has it), one conversation opened many times at once (one handoff),
and ``POST /internal/sandbox/reset`` clearing handoffs and putting the agents back.
Runs on SQLite and on PostgreSQL; racing requests come from their own threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.platform.api import create_app
from bot.platform.models import Agent, AuditLog, Handoff, HandoffMessage
from bot.platform.services.agents import hash_password
from tests.integration.handoff_requests import (
    ANA,
    OLIVIA,
    PASSWORDS,
    SAM,
    agent_ids,
    as_agent,
    open_as,
)

ROUNDS = 3


def _race(app, requests: list[tuple[str, str, dict, dict | None]]) -> list[tuple[int, dict]]:
    """Send the requests (method, path, headers, json) at once, each from its own thread."""
    start = threading.Barrier(len(requests))

    def send(request: tuple[str, str, dict, dict | None]) -> tuple[int, dict]:
        method, path, headers, body = request
        client = TestClient(app)  # each thread: its own client and event loop
        start.wait(timeout=30)
        response = client.request(method, path, headers=headers, json=body)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_two_agents_take_at_once_and_one_wins(settings, auth_for, internal_headers, read_db):
    agents = agent_ids(read_db)
    app = create_app(settings)
    try:
        client = TestClient(app)
        for round_ in range(ROUNDS):
            opened = client.post(
                "/api/v1/handoffs", json={"reason": "asked"}, headers=auth_for(OLIVIA, f"c{round_}")
            )
            assert opened.status_code == 201
            path = f"/internal/handoffs/{opened.json()['id']}/take"
            answers = _race(
                app,
                [
                    ("POST", path, as_agent(internal_headers, agents[SAM]), None),
                    ("POST", path, as_agent(internal_headers, agents[ANA]), None),
                ],
            )
            assert sorted(status for status, _ in answers) == [200, 409], answers
            winner = next(body for status, body in answers if status == 200)
            loser = next(body for status, body in answers if status == 409)
            assert loser["detail"]["code"] == "already_taken"
            assert loser["detail"]["agent"] == winner["agent"]
            held = client.get(
                f"/internal/handoffs/{opened.json()['id']}", headers=internal_headers
            ).json()
            assert held["agent"] == winner["agent"] and held["state"] == "taken"
            notes = [m for m in held["messages"] if m["sender"] == "system"]
            assert len(notes) == 1  # one "took the conversation", from the winner only
    finally:
        app.state.platform.dispose()
    takes = read_db(
        lambda s: s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "handoff.take")
        )
    )
    assert takes == ROUNDS


def test_one_conversation_opened_at_once_from_many_requests(settings, auth_for, read_db):
    app = create_app(settings)
    headers = auth_for(OLIVIA, "conv-burst")
    try:
        answers = _race(app, [("POST", "/api/v1/handoffs", headers, {"reason": "asked"})] * 6)
    finally:
        app.state.platform.dispose()
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 5 + [201], answers
    assert len({body["id"] for _, body in answers}) == 1
    rows = read_db(lambda s: s.scalar(select(func.count()).select_from(Handoff)))
    assert rows == 1


async def test_reset_clears_handoffs_and_puts_agents_back(
    client, auth_for, internal_headers, read_db
):
    agents = agent_ids(read_db)
    sam = as_agent(internal_headers, agents[SAM])
    opened = await open_as(client, auth_for(OLIVIA, "conv-reset"))
    await client.post(f"/internal/handoffs/{opened['id']}/take", headers=sam)
    await client.post(
        f"/internal/handoffs/{opened['id']}/messages",
        json={"sender": "agent", "text": "on it"},
        headers=sam,
    )
    for agent_id in agents.values():
        await client.post(
            f"/internal/agents/{agent_id}/online", json={"online": True}, headers=internal_headers
        )

    def forget_sams_password(session):
        sam_row = session.scalars(select(Agent).where(Agent.email == SAM)).one()
        sam_row.password_hash, sam_row.name = hash_password("someone-changed-it"), "Sam"
        session.commit()

    read_db(forget_sams_password)
    changed = await client.post(
        "/internal/agents/login",
        json={"email": SAM, "password": PASSWORDS[SAM]},
        headers=internal_headers,
    )
    assert changed.status_code == 401

    reset = await client.post("/internal/sandbox/reset", headers=internal_headers)
    assert reset.status_code == 200

    def state(session):
        return (
            session.scalar(select(func.count()).select_from(Handoff)),
            session.scalar(select(func.count()).select_from(HandoffMessage)),
            sorted((a.email, a.name, a.online) for a in session.scalars(select(Agent))),
        )

    assert read_db(state) == (
        0,
        0,
        [(ANA, "Ana Agent", False), (SAM, "Sam Support", False)],
    )
    assert agent_ids(read_db) == agents  # the same agents, ids kept
    for email, password in PASSWORDS.items():
        login = await client.post(
            "/internal/agents/login",
            json={"email": email, "password": password},
            headers=internal_headers,
        )
        assert login.status_code == 200, email
    fresh = await open_as(client, auth_for(OLIVIA, "conv-reset"))
    assert fresh["state"] == "waiting"
