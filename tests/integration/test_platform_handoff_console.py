"""The support console's calls (through the gateway: internal token and ``X-Agent-Id``):
login, the queue, take, replies by the holder only, hand back, close, the user cancelling,
and the audit entries. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.platform.models import AuditLog
from tests.integration.handoff_requests import (
    ANA,
    HANK,
    OLIVIA,
    PASSWORDS,
    SAM,
    agent_ids,
    as_agent,
    open_as,
)


async def test_login_answers_the_same_for_an_unknown_email_and_a_wrong_password(
    client, internal_headers, auth_for
):
    good = await client.post(
        "/internal/agents/login",
        json={"email": " SAM@support.test ", "password": PASSWORDS[SAM]},
        headers=internal_headers,
    )
    assert good.status_code == 200
    assert (good.json()["name"], good.json()["email"]) == ("Sam Support", SAM)
    assert good.json()["last_seen_at"] is not None

    wrong = await client.post(
        "/internal/agents/login",
        json={"email": SAM, "password": PASSWORDS[ANA]},
        headers=internal_headers,
    )
    unknown = await client.post(
        "/internal/agents/login",
        json={"email": "nobody@support.test", "password": PASSWORDS[SAM]},
        headers=internal_headers,
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": {"code": "bad_login"}}

    as_user = await client.post(
        "/internal/agents/login",
        json={"email": SAM, "password": PASSWORDS[SAM]},
        headers=auth_for(OLIVIA),
    )
    assert as_user.status_code == 401
    assert as_user.json()["detail"]["code"] == "unauthorized"


async def test_queue_take_reply_and_hand_back(client, auth_for, internal_headers, read_db):
    agents = agent_ids(read_db)
    sam, ana = as_agent(internal_headers, agents[SAM]), as_agent(internal_headers, agents[ANA])
    olivia = await open_as(client, auth_for(OLIVIA, "conv-olivia"))
    hank = await open_as(client, auth_for(HANK, "conv-hank", "sms"))

    queue = (await client.get("/internal/handoffs", headers=internal_headers)).json()
    assert [item["id"] for item in queue] == [olivia["id"], hank["id"]]  # oldest first
    first = queue[0]
    assert first["state"] == "waiting" and first["agent"] is None
    assert first["organization"]["name"] == "Demo Kitchen Group"
    assert (first["user"]["name"], first["channel"], first["reason"]) == (
        "Olivia Owner", "web", "asked"
    )  # fmt: skip
    assert first["waiting_seconds"] >= 0
    assert queue[1]["organization"]["name"] == "Harbor Pizza"

    path = f"/internal/handoffs/{olivia['id']}"
    before = await client.post(
        f"{path}/messages", json={"sender": "agent", "text": "hi"}, headers=sam
    )
    assert before.status_code == 409 and before.json()["detail"]["code"] == "not_yours"

    taken = await client.post(f"{path}/take", headers=sam)
    assert taken.status_code == 200
    assert taken.json()["state"] == "taken"
    assert taken.json()["agent"] == {"id": agents[SAM], "name": "Sam Support"}
    late = await client.post(f"{path}/take", headers=ana)
    assert late.status_code == 409
    assert late.json()["detail"] == {
        "code": "already_taken", "agent": {"id": agents[SAM], "name": "Sam Support"}
    }  # fmt: skip
    assert (await client.post(f"{path}/take", headers=sam)).status_code == 200  # already Sam's

    user_says = await client.post(
        f"{path}/messages",
        json={"sender": "user", "text": "the new code is 135790"},
        headers=internal_headers,
    )
    assert user_says.status_code == 201
    assert user_says.json()["text"] == "the new code is [redacted]"
    sam_says = await client.post(
        f"{path}/messages", json={"sender": "agent", "text": "Thanks, looking now."}, headers=sam
    )
    assert sam_says.status_code == 201 and sam_says.json()["agent"]["name"] == "Sam Support"
    ana_says = await client.post(
        f"{path}/messages", json={"sender": "agent", "text": "me too"}, headers=ana
    )
    assert ana_says.status_code == 409 and ana_says.json()["detail"]["code"] == "not_yours"
    no_agent = await client.post(
        f"{path}/messages", json={"sender": "agent", "text": "who?"}, headers=internal_headers
    )
    assert no_agent.status_code == 422

    detail = (await client.get(path, headers=internal_headers)).json()
    assert [(m["sender"], m["text"]) for m in detail["messages"]] == [
        ("system", "Sam Support took the conversation."),
        ("user", "the new code is [redacted]"),
        ("agent", "Thanks, looking now."),
    ]
    assert detail["packet"]["user"]["name"] == "Olivia Owner"

    assert (await client.post(f"{path}/return", headers=ana)).json()["detail"][
        "code"
    ] == "not_yours"
    back = await client.post(f"{path}/return", headers=sam)
    assert back.status_code == 200
    assert back.json()["state"] == "returned" and back.json()["ended_at"] is not None
    gone = await client.get(
        "/internal/handoffs/active",
        params={"conversation_id": "conv-olivia"},
        headers=internal_headers,
    )
    assert gone.status_code == 404
    after = await client.post(
        f"{path}/messages", json={"sender": "user", "text": "hello?"}, headers=internal_headers
    )
    assert after.status_code == 409 and after.json()["detail"]["code"] == "not_open"
    assert (await client.post(f"{path}/take", headers=ana)).json()["detail"]["code"] == "not_open"

    # The conversation can be handed off again: a new handoff.
    again = await open_as(client, auth_for(OLIVIA, "conv-olivia"))
    assert again["id"] != olivia["id"]
    queue = (await client.get("/internal/handoffs", headers=internal_headers)).json()
    assert [item["id"] for item in queue] == [hank["id"], again["id"]]
    returned = await client.get(
        "/internal/handoffs", params={"state": "returned"}, headers=internal_headers
    )
    assert [item["id"] for item in returned.json()] == [olivia["id"]]
    bad = await client.get("/internal/handoffs", params={"state": "lost"}, headers=internal_headers)
    assert bad.status_code == 422


async def test_close_by_the_holder(client, auth_for, internal_headers, read_db):
    agents = agent_ids(read_db)
    sam, ana = as_agent(internal_headers, agents[SAM]), as_agent(internal_headers, agents[ANA])
    opened = await open_as(client, auth_for(HANK, "conv-hank"))
    path = f"/internal/handoffs/{opened['id']}"
    not_taken = await client.post(f"{path}/close", headers=sam)
    assert not_taken.status_code == 409 and not_taken.json()["detail"]["code"] == "not_yours"
    assert (await client.post(f"{path}/take", headers=ana)).status_code == 200
    assert (await client.post(f"{path}/close", headers=sam)).status_code == 409
    closed = await client.post(f"{path}/close", headers=ana)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert (await client.post(f"{path}/close", headers=ana)).json()["detail"]["code"] == "not_open"
    unknown = await client.post("/internal/handoffs/999999/take", headers=ana)
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "no_handoff"
    nobody = await client.post(f"{path}/take", headers=as_agent(internal_headers, 999999))
    assert nobody.status_code == 404 and nobody.json()["detail"]["code"] == "unknown_agent"


async def test_the_user_cancels_waiting_or_leaves_the_agent(
    client, auth_for, internal_headers, read_db
):
    sam = as_agent(internal_headers, agent_ids(read_db)[SAM])
    waiting = await open_as(client, auth_for(OLIVIA, "conv-1"))
    cancelled = await client.post(
        f"/internal/handoffs/{waiting['id']}/cancel", headers=internal_headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    twice = await client.post(
        f"/internal/handoffs/{waiting['id']}/cancel", headers=internal_headers
    )
    assert twice.status_code == 409 and twice.json()["detail"]["code"] == "not_open"

    taken = await open_as(client, auth_for(OLIVIA, "conv-2"))
    await client.post(f"/internal/handoffs/{taken['id']}/take", headers=sam)
    left = await client.post(f"/internal/handoffs/{taken['id']}/cancel", headers=internal_headers)
    assert left.status_code == 200
    assert left.json()["state"] == "returned" and left.json()["agent"]["name"] == "Sam Support"
    detail = (
        await client.get(f"/internal/handoffs/{taken['id']}", headers=internal_headers)
    ).json()
    assert detail["messages"][-1]["sender"] == "system"  # what the agent's console shows
    assert "stopped waiting" in detail["messages"][-1]["text"]
    missing = await client.post("/internal/handoffs/424242/cancel", headers=internal_headers)
    assert missing.status_code == 404

    def entries(session):
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action.like("handoff.%")).order_by(AuditLog.id)
        )
        return [(row.action, row.detail) for row in rows]

    audit = read_db(entries)
    assert [action for action, _ in audit] == [
        "handoff.open", "handoff.cancel", "handoff.open", "handoff.take", "handoff.cancel"
    ]  # fmt: skip
    take = audit[3][1]
    assert (take["conversation_id"], take["agent"]) == ("conv-2", "Sam Support")
    assert audit[4][1]["result"] == "returned"
    assert all("text" not in detail for _, detail in audit)
