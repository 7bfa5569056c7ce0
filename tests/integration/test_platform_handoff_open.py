"""Opening a handoff with the caller's identity token: once per conversation, the packet
an agent reads (redacted), availability (hours, agents online), and isolation between
organizations. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select

from bot.platform.models import AuditLog, Handoff
from tests.integration.handoff_requests import (
    ALWAYS_OPEN,
    HANK,
    OLIVIA,
    SAM,
    agent_ids,
    hours_outside_now,
    open_as,
)
from tests.integration.pairing_requests import outcome_of, path_of, start_pairing


def _count(read_db, model, *where) -> int:
    return read_db(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))


async def test_opening_twice_gives_the_same_handoff(client, auth_for, read_db):
    headers = auth_for(OLIVIA, "conv-help", "telegram")
    first = await open_as(client, headers)
    assert first["state"] == "waiting"
    assert first["conversation_id"] == "conv-help"  # from the token, never the body
    assert first["channel"] == "telegram"
    assert first["reason"] == "asked"
    assert first["organization"]["name"] == "Demo Kitchen Group"
    assert first["user"]["name"] == "Olivia Owner"
    assert first["agent"] is None
    again = await open_as(client, headers, expect=200)
    assert again["id"] == first["id"]
    assert _count(read_db, Handoff) == 1
    assert _count(read_db, AuditLog, AuditLog.action == "handoff.open") == 1

    current = await client.get("/api/v1/handoffs/current", headers=headers)
    assert current.status_code == 200 and current.json()["id"] == first["id"]


async def test_the_body_cannot_name_the_conversation_or_the_user(client, auth_for, read_db):
    response = await client.post(
        "/api/v1/handoffs",
        json={"reason": "asked", "language": "en", "conversation_id": "someone-else"},
        headers=auth_for(OLIVIA),
    )
    assert response.status_code == 422
    unknown_reason = await client.post(
        "/api/v1/handoffs", json={"reason": "bored"}, headers=auth_for(OLIVIA)
    )
    assert unknown_reason.status_code == 422
    no_token = await client.post("/api/v1/handoffs", json={"reason": "asked"})
    assert no_token.status_code == 401
    assert _count(read_db, Handoff) == 0


async def test_packet_after_olivias_failed_reconnect_is_redacted(
    repair_client, auth_for, internal_headers
):
    headers = auth_for(OLIVIA, "conv-ue")
    started = await start_pairing(repair_client, headers, "ue-main")
    failed = await repair_client.post(
        path_of(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "hunter2-secret"},
    )
    assert outcome_of(failed.text) == "wrong_password"
    transcript = [
        {"sender": "user", "text": "Uber Eats is down at Downtown"},
        {"sender": "bot", "text": "Open this link to sign in again."},
        {"sender": "user", "text": "my password is Tr0ub4dor&3 and it fails"},
        {"sender": "user", "text": "the code was 246810"},
        {"sender": "user", "text": "I want to talk to a person"},
    ]
    opened = await open_as(repair_client, headers, transcript=transcript)

    detail = await repair_client.get(f"/internal/handoffs/{opened['id']}", headers=internal_headers)
    assert detail.status_code == 200
    packet = detail.json()["packet"]
    assert packet["organization"]["name"] == "Demo Kitchen Group"
    assert packet["user"]["name"] == "Olivia Owner"
    assert packet["user"]["role"] == "manages integrations, cancels orders"
    assert (packet["channel"], packet["language"]) == ("web", "en")

    issue = packet["issue"]
    assert (issue["kind"], issue["account_id"]) == ("account", "ue-main")
    assert (issue["provider"], issue["account"]) == ("Uber Eats", "Uber Eats — main")
    assert issue["stores"] == ["Airport / Burger Barn", "Downtown / Burger Barn"]
    assert issue["error_type"] == "invalid_credentials"
    steps = [(step["action"], step["result"]) for step in issue["steps"]]
    assert steps == [
        ("repair.pairing_started", None),
        ("repair.pairing_credentials", "invalid_credentials"),
    ]
    broken = {entry["account_id"]: entry for entry in packet["status"]["broken"]}
    assert broken["ue-main"]["error_type"] == "invalid_credentials"
    assert broken["dd-main"]["error_type"] == "two_factor_required"
    assert "hp-ue" not in broken  # Harbor Pizza's account is not Olivia's business

    texts = [message["text"] for message in packet["recent_messages"]]
    assert texts[0] == "Uber Eats is down at Downtown"
    assert texts[2] == "my password is [redacted] and it fails"
    assert texts[3] == "the code was [redacted]"
    everything = json.dumps(detail.json())
    for secret in ("Tr0ub4dor", "246810", "hunter2"):
        assert secret not in everything


async def test_a_user_with_nothing_under_way_has_no_issue(client, auth_for, internal_headers):
    opened = await open_as(client, auth_for(HANK, "conv-hank", "sms"))
    detail = await client.get(f"/internal/handoffs/{opened['id']}", headers=internal_headers)
    packet = detail.json()["packet"]
    assert packet["issue"] is None
    assert packet["organization"]["name"] == "Harbor Pizza"
    assert packet["channel"] == "sms"
    assert [b["account_id"] for b in packet["status"]["broken"]] == ["hp-ue"]


async def test_within_hours_but_nobody_online(client_with, auth_for, internal_headers, read_db):
    async with client_with(support_hours=ALWAYS_OPEN) as client:
        opened = await open_as(client, auth_for(OLIVIA, "conv-a"))
        assert opened["availability"] == {"open": True, "agents_online": 0, "next_open_at": None}

        sam = agent_ids(read_db)[SAM]
        online = await client.post(
            f"/internal/agents/{sam}/online", json={"online": True}, headers=internal_headers
        )
        assert online.status_code == 200 and online.json()["online"] is True
        again = await open_as(client, auth_for(OLIVIA, "conv-a"), expect=200)
        assert again["availability"]["agents_online"] == 1


async def test_outside_hours_says_when_support_is_back(client_with, auth_for):
    hours, opens = hours_outside_now()
    async with client_with(support_hours=hours) as client:
        opened = await open_as(client, auth_for(OLIVIA, "conv-night"))
    availability = opened["availability"]
    assert availability["open"] is False
    assert datetime.fromisoformat(availability["next_open_at"]) == opens
    assert opened["state"] == "waiting"  # it stays queued


async def test_closed_on_this_day_of_the_week(client_with, auth_for):
    today = datetime.now().astimezone(hours_outside_now()[1].tzinfo).strftime("%a").lower()
    days = ",".join(d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if d != today)
    async with client_with(support_hours=ALWAYS_OPEN, support_days=days) as client:
        opened = await open_as(client, auth_for(OLIVIA, "conv-day"))
    assert opened["availability"]["open"] is False
    assert opened["availability"]["next_open_at"] is not None


async def test_organizations_do_not_see_each_others_handoffs(client, auth_for, internal_headers):
    hank = await open_as(client, auth_for(HANK, "conv-hank"))
    olivia = await open_as(client, auth_for(OLIVIA, "conv-olivia"))
    assert hank["id"] != olivia["id"]

    # Olivia's token reads only her own conversation's handoff …
    mine = await client.get("/api/v1/handoffs/current", headers=auth_for(OLIVIA, "conv-olivia"))
    assert mine.json()["id"] == olivia["id"]
    # … not Hank's, even naming his conversation in her token.
    other = await client.get("/api/v1/handoffs/current", headers=auth_for(OLIVIA, "conv-hank"))
    assert other.status_code == 404 and other.json()["detail"]["code"] == "no_handoff"
    taken_over = await client.post(
        "/api/v1/handoffs", json={"reason": "asked"}, headers=auth_for(OLIVIA, "conv-hank")
    )
    assert taken_over.status_code == 403
    # … and an identity token opens no internal or console endpoint.
    for path in ("/internal/handoffs", f"/internal/handoffs/{hank['id']}"):
        response = await client.get(path, headers=auth_for(OLIVIA, "conv-olivia"))
        assert response.status_code == 401, path

    # Agents see every organization's conversations.
    queue = (await client.get("/internal/handoffs", headers=internal_headers)).json()
    assert {item["organization"]["name"] for item in queue} == {
        "Demo Kitchen Group",
        "Harbor Pizza",
    }


async def test_the_gateway_opens_a_handoff_with_the_internal_token(
    client, user_ids, internal_headers
):
    body = {
        "conversation_id": "sms:+15550000009",
        "user_id": user_ids[HANK],
        "channel": "sms",
        "language": "fr",
        "reason": "fallbacks",
    }
    first = await client.post("/internal/handoffs", json=body, headers=internal_headers)
    assert first.status_code == 201, first.text
    assert (first.json()["reason"], first.json()["language"]) == ("fallbacks", "fr")
    again = await client.post("/internal/handoffs", json=body, headers=internal_headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    active = await client.get(
        "/internal/handoffs/active",
        params={"conversation_id": "sms:+15550000009"},
        headers=internal_headers,
    )
    assert active.json()["id"] == first.json()["id"]
    missing = await client.get(
        "/internal/handoffs/active", params={"conversation_id": "nope"}, headers=internal_headers
    )
    assert missing.status_code == 404 and missing.json()["detail"]["code"] == "no_handoff"
    no_token = await client.post("/internal/handoffs", json=body)
    assert no_token.status_code == 401
