"""Pairing through the API and the page: credentials, 2FA codes on the page and in the
chat, a wrong password, missing fields, a new error after the pairing.

Runs on SQLite and on PostgreSQL (like every platform API test).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.integration.pairing_requests import (
    MARC,
    OLIVIA,
    link_states,
    outcome_of,
    path_of,
    start_pairing,
    step_of,
)


async def test_olivia_reconnects_uber_eats_through_the_page(repair_client, auth_for, read_db):
    headers = auth_for(OLIVIA, "conv-ue")
    started = await start_pairing(repair_client, headers, "ue-main")
    assert started["account_id"] == "ue-main"
    assert started["account"] == "Uber Eats — main"
    assert started["provider"] == "Uber Eats"
    assert (started["state"], started["outcome"]) == ("open", "started")
    assert started["asks_code"] is False
    assert started["attempts_left"] == 5
    assert started["locked_until"] is None
    assert started["stores"] == [
        {"location": "Airport", "brand": "Burger Barn"},
        {"location": "Downtown", "brand": "Burger Barn"},
    ]
    assert [b["error_type"] for b in started["broken"]] == ["invalid_credentials"]
    assert started["url"].startswith("http://127.0.0.1:8081/pair/")
    expires = datetime.fromisoformat(started["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=9) < expires - datetime.now(timezone.utc) <= timedelta(minutes=10)

    page = await repair_client.get(path_of(started["url"]))
    assert page.status_code == 200
    assert '<form id="credentials"' in page.text
    assert 'value="ubereats@demo-kitchen.test"' in page.text

    done = await repair_client.post(
        path_of(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert done.status_code == 200
    assert outcome_of(done.text) == "succeeded"
    assert "Airport / Burger Barn" in done.text and "Downtown / Burger Barn" in done.text
    assert link_states(read_db, "ue-main") == [("active", None, None), ("active", None, None)]

    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert current["pairing_id"] == started["pairing_id"]
    assert (current["state"], current["outcome"]) == ("succeeded", "succeeded")
    assert current["broken"] == []
    assert "url" not in current
    by_id = await repair_client.get(
        f"/api/v1/repair/pairings/{started['pairing_id']}", headers=headers
    )
    assert by_id.json()["outcome"] == "succeeded"

    # The link was used once: it now shows the expired-or-used page and changes nothing.
    again = await repair_client.get(path_of(started["url"]))
    assert again.status_code == 410
    assert outcome_of(again.text) == "gone"
    repost = await repair_client.post(
        path_of(started["url"]), data={"email": "x@y.test", "password": "demo-password"}
    )
    assert repost.status_code == 410

    status = (await repair_client.get("/api/v1/integrations/status", headers=headers)).json()
    assert "ue-main" not in [b["account_id"] for b in status["broken"]]
    assert ("ue-main", "active") in [(w["account_id"], w["state"]) for w in status["working"]]


async def test_doordash_with_a_wrong_code_first_then_the_right_one(
    repair_client, auth_for, read_db, gateway
):
    headers = auth_for(OLIVIA, "conv-dd")
    started = await start_pairing(repair_client, headers, "dd-main")
    assert started["asks_code"] is True
    form = await repair_client.post(
        path_of(started["url"]),
        data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
    )
    assert form.status_code == 200
    assert '<form id="code"' in form.text and outcome_of(form.text) is None
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("awaiting_code", "needs_code")

    wrong = await repair_client.post(
        path_of(started["url"]) + "/code", data={"step": step_of(form.text), "code": "111111"}
    )
    assert wrong.status_code == 200
    assert outcome_of(wrong.text) == "code_rejected"
    assert '<form id="code"' in wrong.text
    assert "Attempts left: 4" in wrong.text
    assert link_states(read_db, "dd-main") == [("disconnected", "two_factor_required", None)] * 2

    # The old step nonce is spent: only the newest code form works.
    stale = await repair_client.post(
        path_of(started["url"]) + "/code", data={"step": step_of(form.text), "code": "246810"}
    )
    assert stale.status_code == 410
    right = await repair_client.post(
        path_of(started["url"]) + "/code", data={"step": step_of(wrong.text), "code": "246 810"}
    )
    assert outcome_of(right.text) == "succeeded"
    assert link_states(read_db, "dd-main") == [("active", None, None)] * 2
    assert [body["entities"]["pairing_event"] for body in gateway.bodies()] == [
        "credentials_submitted",
        "code_submitted",
        "code_submitted",
    ]


async def test_code_typed_in_the_chat(repair_client, auth_for, user_ids, internal_headers, gateway):
    headers = auth_for(OLIVIA, "conv-chat")
    started = await start_pairing(repair_client, headers, "gl-main")
    body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-chat", "code": "246810"}
    early = await repair_client.post("/internal/repair/codes", json=body, headers=internal_headers)
    assert early.status_code == 404
    assert early.json() == {"detail": {"code": "no_pending_code"}}

    await repair_client.post(
        path_of(started["url"]),
        data={"email": "glovo@demo-kitchen.test", "password": "demo-password"},
    )
    assert len(gateway.requests) == 1
    for wrong_user, wrong_conversation in (
        (user_ids[MARC], "conv-chat"),
        (user_ids[OLIVIA], "another-conversation"),
    ):
        response = await repair_client.post(
            "/internal/repair/codes",
            json={**body, "user_id": wrong_user, "conversation_id": wrong_conversation},
            headers=internal_headers,
        )
        assert response.status_code == 404
    rejected = await repair_client.post(
        "/internal/repair/codes", json={**body, "code": "000000"}, headers=internal_headers
    )
    assert rejected.json() == {
        "pairing_id": started["pairing_id"],
        "outcome": "code_rejected",
        "continue_intent": "repair_pairing_update",
        "entities": {"pairing_event": "code_submitted"},
    }
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"], current["attempts_left"]) == (
        "awaiting_code",
        "code_rejected",
        4,
    )
    accepted = await repair_client.post(
        "/internal/repair/codes", json={**body, "code": "246-810"}, headers=internal_headers
    )
    assert accepted.json() == {
        "pairing_id": started["pairing_id"],
        "outcome": "succeeded",
        "continue_intent": "repair_pairing_update",
        "entities": {"pairing_event": "code_submitted"},
    }
    assert len(gateway.requests) == 1  # codes from the chat are not notified back
    again = await repair_client.post("/internal/repair/codes", json=body, headers=internal_headers)
    assert again.status_code == 404


async def test_wrong_password_uses_the_link_up(repair_client, auth_for, read_db):
    headers = auth_for(OLIVIA)
    started = await start_pairing(repair_client, headers, "ue-main")
    response = await repair_client.post(
        path_of(started["url"]), data={"email": "ubereats@demo-kitchen.test", "password": "nope"}
    )
    assert outcome_of(response.text) == "wrong_password"
    assert "new link" in response.text
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("failed", "invalid_credentials")
    assert (await repair_client.get(path_of(started["url"]))).status_code == 410
    assert link_states(read_db, "ue-main") == [("disconnected", "invalid_credentials", None)] * 2
    # A new link works.
    second = await start_pairing(repair_client, headers, "ue-main")
    ok = await repair_client.post(
        path_of(second["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert outcome_of(ok.text) == "succeeded"


async def test_missing_fields_reshow_the_form_and_keep_the_link(repair_client, auth_for):
    started = await start_pairing(repair_client, auth_for(OLIVIA), "ue-main")
    response = await repair_client.post(path_of(started["url"]), data={"email": "a@b.test"})
    assert response.status_code == 422
    assert '<form id="credentials"' in response.text
    assert (await repair_client.get(path_of(started["url"]))).status_code == 200


async def test_new_error_after_pairing(repair_client, auth_for, internal_headers, read_db):
    injection = {
        "inject": [
            {
                "on": "pairing",
                "error_type": "invalid_store_configuration",
                "error_case": "non_traditional_login",
            }
        ]
    }
    response = await repair_client.put(
        "/internal/sandbox/accounts/ue-main", json=injection, headers=internal_headers
    )
    assert response.status_code == 200
    headers = auth_for(OLIVIA)
    started = await start_pairing(repair_client, headers, "ue-main")
    page = await repair_client.post(
        path_of(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert outcome_of(page.text) == "new_error"
    assert "signs in with a method we cannot use" in page.text
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("succeeded", "new_error")
    assert [(b["error_type"], b["error_case"]) for b in current["broken"]] == [
        ("invalid_store_configuration", "non_traditional_login")
    ]
    assert current["broken"][0]["next_step"]["kind"] == "portal_steps"
    assert (
        link_states(read_db, "ue-main")
        == [("disconnected", "invalid_store_configuration", "non_traditional_login")] * 2
    )
    # The injection was consumed: the next pairing is clean.
    sandbox = await repair_client.put(
        "/internal/sandbox/accounts/ue-main", json={}, headers=internal_headers
    )
    assert sandbox.json()["injections"] == []
