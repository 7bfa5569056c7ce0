"""A pairing's life: superseded by a newer one, expired links, the lockout after wrong
codes and its end.

Runs on SQLite and on PostgreSQL (like every platform API test).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.platform.models import PairingSession, ProviderAccount
from tests.integration.pairing_requests import (
    OLIVIA,
    link_states,
    outcome_of,
    path_of,
    start_pairing,
    step_of,
)


async def test_a_new_pairing_supersedes_the_earlier_one(repair_client, auth_for):
    headers = auth_for(OLIVIA)
    first = await start_pairing(repair_client, headers, "dd-main")
    second = await start_pairing(repair_client, headers, "dd-main")
    assert (await repair_client.get(path_of(first["url"]))).status_code == 410
    assert (await repair_client.get(path_of(second["url"]))).status_code == 200
    old = (
        await repair_client.get(f"/api/v1/repair/pairings/{first['pairing_id']}", headers=headers)
    ).json()
    assert (old["state"], old["outcome"]) == ("expired", "superseded")
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert current["pairing_id"] == second["pairing_id"]
    # Another account's pairing is not touched.
    other = await start_pairing(repair_client, headers, "ue-main")
    assert (await repair_client.get(path_of(second["url"]))).status_code == 200
    assert (await repair_client.get(path_of(other["url"]))).status_code == 200


async def test_expired_links(repair_client_with, auth_for, read_db):
    async with repair_client_with(pairing_ttl_seconds=0) as client:
        headers = auth_for(OLIVIA)
        started = await start_pairing(client, headers, "ue-main")
        assert (started["state"], started["outcome"]) == ("expired", "expired")
        page = await client.get(path_of(started["url"]))
        assert page.status_code == 410 and outcome_of(page.text) == "gone"
        post = await client.post(
            path_of(started["url"]),
            data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
        )
        assert post.status_code == 410
        current = (await client.get("/api/v1/repair/pairings/current", headers=headers)).json()
        assert (current["state"], current["outcome"]) == ("expired", "expired")
    assert link_states(read_db, "ue-main") == [("disconnected", "invalid_credentials", None)] * 2
    stored = read_db(lambda s: s.get(PairingSession, started["pairing_id"]).state)
    assert stored == "open"  # reading an expired link changed nothing


async def test_lockout_after_five_wrong_codes(
    repair_client_with, auth_for, user_ids, internal_headers, read_db
):
    async with repair_client_with(pairing_lock_seconds=600, pairing_code_window_seconds=60) as c:
        headers = auth_for(OLIVIA, "conv-lock")
        started = await start_pairing(c, headers, "dd-main")
        form = await c.post(
            path_of(started["url"]),
            data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
        )
        step = step_of(form.text)
        body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-lock", "code": "000000"}
        outcomes = []
        for _ in range(2):  # two from the page
            page = await c.post(path_of(started["url"]) + "/code", data={"step": step, "code": "1"})
            outcomes.append(outcome_of(page.text))
            step = step_of(page.text)
        for _ in range(2):  # two from the chat
            answer = await c.post("/internal/repair/codes", json=body, headers=internal_headers)
            outcomes.append(answer.json()["outcome"])
        assert outcomes == ["code_rejected"] * 4
        last = await c.post(path_of(started["url"]) + "/code", data={"step": step, "code": "2"})
        assert outcome_of(last.text) == "locked"
        current = (await c.get("/api/v1/repair/pairings/current", headers=headers)).json()
        assert (current["state"], current["outcome"], current["attempts_left"]) == (
            "locked",
            "locked",
            0,
        )
        locked_until = datetime.fromisoformat(current["locked_until"].replace("Z", "+00:00"))
        assert (
            timedelta(minutes=9)
            < locked_until - datetime.now(timezone.utc)
            <= timedelta(minutes=10)
        )
        refused = await c.post(
            "/api/v1/repair/pairings", json={"account_id": "dd-main"}, headers=headers
        )
        assert refused.status_code == 423
        assert refused.json()["detail"]["code"] == "locked"
        assert refused.json()["detail"]["locked_until"]
        # The lock is per account: another account can still be reconnected.
        assert (await start_pairing(c, headers, "gl-main"))["state"] == "open"
    assert link_states(read_db, "dd-main") == [("disconnected", "two_factor_required", None)] * 2


async def test_the_lock_ends(repair_client_with, auth_for, user_ids, internal_headers, read_db):
    async with repair_client_with(pairing_lock_seconds=1, pairing_max_code_failures=1) as c:
        headers = auth_for(OLIVIA, "conv-x")
        started = await start_pairing(c, headers, "dd-main")
        await c.post(
            path_of(started["url"]),
            data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
        )
        body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-x", "code": "999999"}
        answer = await c.post("/internal/repair/codes", json=body, headers=internal_headers)
        assert answer.json()["outcome"] == "locked"

        def unlock(session):
            account = session.get(ProviderAccount, "dd-main")
            account.pairing_locked_until = datetime.now(timezone.utc) - timedelta(seconds=1)
            session.commit()

        read_db(unlock)
        again = await start_pairing(c, headers, "dd-main")
        assert (again["state"], again["attempts_left"], again["locked_until"]) == ("open", 1, None)
