"""The SMS callback offer (docs/handoff-callback.md): while nobody can take a
conversation, opening a handoff on the web or Telegram offers to text the user back on
their verified phone; asking for it moves the waiting handoff to the user's SMS
conversation (or cancels it when that one has an open handoff already); the queue and
the detail show the phone, masked. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.platform.models import AuditLog, Handoff, HandoffMessage, User
from tests.integration.handoff_requests import (
    ALWAYS_OPEN,
    HANK,
    OLIVIA,
    SAM,
    agent_ids,
    as_agent,
    hours_outside_now,
    open_as,
)

OLIVIAS_PHONE = "+15550000001"
MASKED = "•••• 0001"


def _handoff(read_db, handoff_id: int) -> tuple[str, str, str, dict]:
    """(conversation id, channel, state, packet) of the handoff as stored."""
    row = read_db(lambda s: s.get(Handoff, handoff_id))
    return row.conversation_id, row.channel, row.state, row.packet


def _notes(read_db, handoff_id: int) -> list[str]:
    statement = (
        select(HandoffMessage.text)
        .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.sender == "system")
        .order_by(HandoffMessage.id)
    )
    return read_db(lambda s: list(s.scalars(statement)))


def _callback_audit(read_db) -> list[dict]:
    statement = select(AuditLog.detail).where(AuditLog.action == "handoff.callback")
    return read_db(lambda s: list(s.scalars(statement.order_by(AuditLog.id))))


async def _online(client, internal_headers, read_db, email: str, online: bool = True) -> None:
    agent = agent_ids(read_db)[email]
    response = await client.post(
        f"/internal/agents/{agent}/online", json={"online": online}, headers=internal_headers
    )
    assert response.status_code == 200, response.text


async def test_the_offer_is_made_only_when_nobody_can_take_it(
    client_with, auth_for, internal_headers, read_db, user_ids
):
    async with client_with(support_hours=ALWAYS_OPEN) as client:
        web = await open_as(client, auth_for(OLIVIA, "web:1:aaaa"))
        assert web["availability"]["agents_online"] == 0
        assert web["sms_callback"] == MASKED
        telegram = await open_as(client, auth_for(HANK, "telegram:9:42", "telegram"))
        assert telegram["sms_callback"] == "•••• 0009"
        # On SMS already: nothing to call back on.
        sms = await open_as(client, auth_for(OLIVIA, "sms:1:15550000001", "sms"))
        assert sms["sms_callback"] is None
        # The internal open answers the same.
        body = {
            "conversation_id": "web:2:bbbb",
            "user_id": user_ids["marc@demo-kitchen.test"],
            "channel": "web",
            "language": "fr",
        }
        internal = await client.post("/internal/handoffs", json=body, headers=internal_headers)
        assert internal.status_code == 201 and internal.json()["sms_callback"] == "•••• 0002"

        # Sam comes online within hours: someone can take it, no offer.
        await _online(client, internal_headers, read_db, SAM)
        again = await open_as(client, auth_for(OLIVIA, "web:1:aaaa"), expect=200)
        assert again["availability"]["agents_online"] == 1
        assert again["sms_callback"] is None

    hours, _ = hours_outside_now()
    async with client_with(support_hours=hours) as client:  # Sam online, but outside hours
        night = await open_as(client, auth_for(OLIVIA, "web:1:cccc"))
        assert night["availability"] == {
            "open": False,
            "agents_online": 1,
            "next_open_at": night["availability"]["next_open_at"],
        }
        assert night["sms_callback"] == MASKED


async def test_no_offer_without_a_verified_phone_or_after_stop(
    client_with, auth_for, internal_headers, sessions
):
    async with client_with(support_hours=ALWAYS_OPEN) as client:
        stop = await client.post(
            "/internal/sms/opt-outs",
            json={"phone": OLIVIAS_PHONE, "opted_out": True},
            headers=internal_headers,
        )
        assert stop.status_code == 200, stop.text
        assert (await open_as(client, auth_for(OLIVIA, "web:1:a")))["sms_callback"] is None

        with sessions() as session:
            session.execute(update(User).where(User.email == HANK).values(phone_verified=False))
            session.commit()
        assert (await open_as(client, auth_for(HANK, "web:9:b")))["sms_callback"] is None


async def test_a_callback_moves_the_waiting_handoff_to_the_users_sms_conversation(
    client_with, auth_for, internal_headers, read_db, user_ids
):
    olivia = user_ids[OLIVIA]
    sms_conversation = f"sms:{olivia}:15550000001"
    async with client_with(support_hours=ALWAYS_OPEN) as client:
        opened = await open_as(client, auth_for(OLIVIA, "web:1:aaaa"))
        path = f"/internal/handoffs/{opened['id']}/callback"
        moved = await client.post(path, headers=internal_headers)
        assert moved.status_code == 200, moved.text
        answer = moved.json()
        assert answer["outcome"] == "moved"
        assert answer["phone"] == MASKED
        assert answer["sms_conversation_id"] == sms_conversation
        assert answer["sms_handoff_id"] == opened["id"]
        assert (answer["conversation_id"], answer["channel"]) == (sms_conversation, "sms")
        assert (answer["sms_callback"], answer["callback_from"]) == (MASKED, "web")

        conversation, channel, state, packet = _handoff(read_db, opened["id"])
        assert (conversation, channel, state) == (sms_conversation, "sms", "waiting")
        assert packet["callback"] == {
            "channel": "sms",
            "phone": MASKED,
            "from_channel": "web",
            "from_conversation_id": "web:1:aaaa",
        }
        assert packet["organization"]["name"] == "Demo Kitchen Group"  # the rest is kept
        assert _notes(read_db, opened["id"]) == [f"Callback by SMS requested ({MASKED})."]
        [audit] = _callback_audit(read_db)
        assert audit["result"] == "moved"
        assert audit["conversation_id"] == sms_conversation
        assert audit["from_conversation_id"] == "web:1:aaaa"
        assert OLIVIAS_PHONE not in str(audit)

        # The web conversation has no open handoff any more; the SMS one has it.
        web = await client.get(
            "/internal/handoffs/active",
            params={"conversation_id": "web:1:aaaa"},
            headers=internal_headers,
        )
        assert web.status_code == 404
        sms = await client.get(
            "/internal/handoffs/active",
            params={"conversation_id": sms_conversation},
            headers=internal_headers,
        )
        assert sms.json()["id"] == opened["id"]

        # The console's queue and detail show the phone, masked.
        [item] = (await client.get("/internal/handoffs", headers=internal_headers)).json()
        assert (item["id"], item["sms_callback"], item["callback_from"]) == (
            opened["id"],
            MASKED,
            "web",
        )
        detail = await client.get(f"/internal/handoffs/{opened['id']}", headers=internal_headers)
        assert detail.json()["sms_callback"] == MASKED
        assert detail.json()["packet"]["callback"]["phone"] == MASKED

        # Asking again changes nothing: it is on SMS already.
        again = await client.post(path, headers=internal_headers)
        assert again.status_code == 409 and again.json()["detail"]["code"] == "already_sms"
        assert _handoff(read_db, opened["id"])[:3] == (sms_conversation, "sms", "waiting")

        # An agent takes it as any other.
        sam = agent_ids(read_db)[SAM]
        taken = await client.post(
            f"/internal/handoffs/{opened['id']}/take", headers=as_agent(internal_headers, sam)
        )
        assert taken.status_code == 200 and taken.json()["sms_callback"] == MASKED


async def test_a_callback_when_the_sms_conversation_has_one_open_cancels_this_one(
    client_with, auth_for, internal_headers, read_db, user_ids
):
    olivia = user_ids[OLIVIA]
    sms_conversation = f"sms:{olivia}:15550000001"
    async with client_with(support_hours=ALWAYS_OPEN) as client:
        on_sms = await open_as(client, auth_for(OLIVIA, sms_conversation, "sms"))
        on_web = await open_as(client, auth_for(OLIVIA, "web:1:aaaa"))
        path = f"/internal/handoffs/{on_web['id']}/callback"
        merged = await client.post(path, headers=internal_headers)
        assert merged.status_code == 200, merged.text
        answer = merged.json()
        assert (answer["outcome"], answer["phone"]) == ("merged", MASKED)
        assert (answer["sms_handoff_id"], answer["sms_conversation_id"]) == (
            on_sms["id"],
            sms_conversation,
        )
        assert answer["state"] == "cancelled"

        assert _handoff(read_db, on_web["id"])[:3] == ("web:1:aaaa", "web", "cancelled")
        assert _handoff(read_db, on_sms["id"])[:3] == (sms_conversation, "sms", "waiting")
        assert _notes(read_db, on_web["id"]) == [
            f"Callback by SMS requested: the user's SMS conversation has handoff "
            f"#{on_sms['id']} open already, so this one is cancelled."
        ]
        assert _notes(read_db, on_sms["id"]) == ["The user also asked on web to be texted back."]
        assert [a["result"] for a in _callback_audit(read_db)] == ["merged"]

        again = await client.post(path, headers=internal_headers)
        assert again.status_code == 409 and again.json()["detail"]["code"] == "not_open"
        assert [a["result"] for a in _callback_audit(read_db)] == ["merged"]


async def test_refusals_change_nothing(client_with, auth_for, internal_headers, read_db, sessions):
    async with client_with(support_hours=ALWAYS_OPEN) as client:

        async def refused(handoff_id: int) -> str:
            response = await client.post(
                f"/internal/handoffs/{handoff_id}/callback", headers=internal_headers
            )
            assert response.status_code == 409, response.text
            return response.json()["detail"]["code"]

        opted = await open_as(client, auth_for(OLIVIA, "web:1:opted"))
        await client.post(
            "/internal/sms/opt-outs",
            json={"phone": OLIVIAS_PHONE, "opted_out": True},
            headers=internal_headers,
        )
        assert await refused(opted["id"]) == "sms_opted_out"
        assert _handoff(read_db, opted["id"])[:3] == ("web:1:opted", "web", "waiting")
        assert "callback" not in _handoff(read_db, opted["id"])[3]

        unverified = await open_as(client, auth_for(HANK, "web:9:unverified"))
        with sessions() as session:
            session.execute(update(User).where(User.email == HANK).values(phone_verified=False))
            session.commit()
        assert await refused(unverified["id"]) == "no_verified_phone"
        assert _handoff(read_db, unverified["id"])[:3] == ("web:9:unverified", "web", "waiting")

        sam = agent_ids(read_db)[SAM]
        await client.post(
            f"/internal/handoffs/{opted['id']}/take", headers=as_agent(internal_headers, sam)
        )
        assert await refused(opted["id"]) == "not_waiting"
        assert _handoff(read_db, opted["id"])[:3] == ("web:1:opted", "web", "taken")

        await client.post(f"/internal/handoffs/{unverified['id']}/cancel", headers=internal_headers)
        assert await refused(unverified["id"]) == "not_open"
        assert _callback_audit(read_db) == []

        unknown = await client.post("/internal/handoffs/999999/callback", headers=internal_headers)
        assert unknown.status_code == 404
        no_token = await client.post(f"/internal/handoffs/{opted['id']}/callback")
        assert no_token.status_code == 401
