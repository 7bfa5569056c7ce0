"""Live conversations on the platform (docs/handoff-contract.md, "Live conversations"):
the gateway reports a user's message (``POST /internal/conversations/seen``), the
console lists who wrote recently (``GET /internal/conversations/live``). Runs on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.platform.models import Conversation, utcnow
from tests.integration.handoff_requests import HANK, OLIVIA, open_as


def seen_body(user_id: int, conversation: str, channel: str = "web", **extra) -> dict:
    return {
        "conversation_id": f"{channel}:{user_id}:{conversation}",
        "user_id": user_id,
        "channel": channel,
        "language": "en",
        **extra,
    }


async def seen(client, headers, body, expect=200) -> dict:
    response = await client.post("/internal/conversations/seen", json=body, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def live(client, headers) -> list[dict]:
    response = await client.get("/internal/conversations/live", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def conversations(read_db) -> dict[str, tuple]:
    return read_db(
        lambda s: {
            c.conversation_id: (c.user_id, c.channel, c.language, c.last_message_at)
            for c in s.scalars(select(Conversation))
        }
    )


async def test_seen_conversations_are_listed_newest_first(
    client, internal_headers, user_ids, read_db
):
    olivia, hank = user_ids[OLIVIA], user_ids[HANK]
    await seen(client, internal_headers, seen_body(olivia, "aaaa"))
    await seen(client, internal_headers, seen_body(hank, "15550000002", "sms", language="fr"))
    first_seen = conversations(read_db)[f"web:{olivia}:aaaa"][3]
    again = await seen(client, internal_headers, seen_body(olivia, "aaaa", language="es-MX"))

    assert again["language"] == "es"
    rows = conversations(read_db)
    assert len(rows) == 2  # an upsert: Olivia's conversation is one row
    assert rows[f"web:{olivia}:aaaa"][3] > first_seen
    listed = await live(client, internal_headers)
    assert [item["conversation_id"] for item in listed] == [
        f"web:{olivia}:aaaa",
        f"sms:{hank}:15550000002",
    ]
    top = listed[0]
    assert top["organization"]["name"] == "Demo Kitchen Group"
    assert top["user"] == {"id": olivia, "name": "Olivia Owner"}
    assert (top["channel"], top["language"], top["handoff"]) == ("web", "es", None)
    assert top["seconds_since_last_message"] < 60
    assert listed[1]["language"] == "fr" and listed[1]["channel"] == "sms"


async def test_only_recent_conversations_are_live_and_open_handoffs_are_flagged(
    client_with, internal_headers, user_ids, auth_for, sessions
):
    olivia, hank = user_ids[OLIVIA], user_ids[HANK]
    async with client_with(live_conversation_minutes=10) as client:
        await seen(client, internal_headers, seen_body(olivia, "old"))
        await seen(client, internal_headers, seen_body(olivia, "recent"))
        await seen(client, internal_headers, seen_body(hank, "asked"))
        with sessions() as session:
            session.execute(
                update(Conversation)
                .where(Conversation.conversation_id == f"web:{olivia}:old")
                .values(last_message_at=utcnow() - timedelta(minutes=11))
            )
            session.commit()
        handoff = await open_as(client, auth_for(HANK, f"web:{hank}:asked"))

        listed = await live(client, internal_headers)

    by_id = {item["conversation_id"]: item for item in listed}
    assert set(by_id) == {f"web:{olivia}:recent", f"web:{hank}:asked"}
    assert by_id[f"web:{hank}:asked"]["handoff"] == {"id": handoff["id"], "state": "waiting"}
    assert by_id[f"web:{olivia}:recent"]["handoff"] is None


async def test_bad_input_is_refused_and_changes_nothing(
    client, internal_headers, user_ids, read_db, auth_for
):
    olivia, hank = user_ids[OLIVIA], user_ids[HANK]
    await seen(client, internal_headers, seen_body(olivia, "kept"))
    before = conversations(read_db)

    refused = [
        (seen_body(999_999, "x"), 404),  # no such user
        (seen_body(olivia, "x", channel="fax"), 422),
        ({**seen_body(olivia, "x"), "conversation_id": f"web:{hank}:x"}, 422),  # not hers
        ({**seen_body(olivia, "x"), "channel": "sms"}, 422),  # a web id on SMS
        ({**seen_body(olivia, "x"), "conversation_id": f"web:{olivia}:"}, 422),
        ({**seen_body(olivia, "x"), "user_id": "1"}, 422),
        ({**seen_body(olivia, "x"), "extra": 1}, 422),
        ({k: v for k, v in seen_body(olivia, "x").items() if k != "user_id"}, 422),
    ]
    for body, status in refused:
        await seen(client, internal_headers, body, expect=status)
    as_user = await client.post(
        "/internal/conversations/seen", json=seen_body(olivia, "y"), headers=auth_for(OLIVIA)
    )
    assert as_user.status_code == 401
    assert (await client.get("/internal/conversations/live")).status_code == 401

    assert conversations(read_db) == before


async def test_demo_reset_forgets_the_conversations(client, internal_headers, user_ids, read_db):
    await seen(client, internal_headers, seen_body(user_ids[OLIVIA], "aaaa"))

    reset = await client.post("/internal/sandbox/reset", headers=internal_headers)

    assert reset.status_code == 200, reset.text
    assert read_db(lambda s: s.scalar(select(func.count()).select_from(Conversation))) == 0
    assert await live(client, internal_headers) == []


async def test_a_new_conversation_reported_by_many_at_once_is_one_row(
    client, internal_headers, user_ids, read_db
):
    """Several gateway processes may report the same first message at the same moment."""
    olivia = user_ids[OLIVIA]
    bodies = [seen_body(olivia, "bbbb", language=("en", "fr")[i % 2]) for i in range(12)]
    answers = await asyncio.gather(
        *(
            client.post("/internal/conversations/seen", json=b, headers=internal_headers)
            for b in bodies
        )
    )

    assert [answer.status_code for answer in answers] == [200] * len(bodies)
    rows = conversations(read_db)
    assert list(rows) == [f"web:{olivia}:bbbb"]
    assert rows[f"web:{olivia}:bbbb"][0] == olivia
