"""Pairing through the API and the page: start, credentials, codes, expiry, supersede, lockout.

Runs on SQLite and on PostgreSQL (like every platform API test).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.platform.models import AuditLog, PairingSession, ProviderAccount, StoreLink

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"


def _path(url: str) -> str:
    return urlsplit(url).path


async def _start(client, headers, account_id: str, lang: str = "en") -> dict:
    response = await client.post(
        "/api/v1/repair/pairings", json={"account_id": account_id, "lang": lang}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def _links(read_db, account_id: str) -> list[tuple]:
    def query(session):
        links = session.scalars(
            select(StoreLink).where(StoreLink.account_id == account_id).order_by(StoreLink.id)
        ).all()
        return [(link.state, link.error_type, link.error_case) for link in links]

    return read_db(query)


def _outcome(html: str) -> str | None:
    marker = 'id="result" data-outcome="'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split('"', 1)[0]


def _step(html: str) -> str:
    return html.split('name="step" value="', 1)[1].split('"', 1)[0]


async def test_olivia_reconnects_uber_eats_through_the_page(repair_client, auth_for, read_db):
    headers = auth_for(OLIVIA, "conv-ue")
    started = await _start(repair_client, headers, "ue-main")
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

    page = await repair_client.get(_path(started["url"]))
    assert page.status_code == 200
    assert '<form id="credentials"' in page.text
    assert 'value="ubereats@demo-kitchen.test"' in page.text

    done = await repair_client.post(
        _path(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert done.status_code == 200
    assert _outcome(done.text) == "succeeded"
    assert "Airport / Burger Barn" in done.text and "Downtown / Burger Barn" in done.text
    assert _links(read_db, "ue-main") == [("active", None, None), ("active", None, None)]

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
    again = await repair_client.get(_path(started["url"]))
    assert again.status_code == 410
    assert _outcome(again.text) == "gone"
    repost = await repair_client.post(
        _path(started["url"]), data={"email": "x@y.test", "password": "demo-password"}
    )
    assert repost.status_code == 410

    status = (await repair_client.get("/api/v1/integrations/status", headers=headers)).json()
    assert "ue-main" not in [b["account_id"] for b in status["broken"]]
    assert ("ue-main", "active") in [(w["account_id"], w["state"]) for w in status["working"]]


async def test_doordash_with_a_wrong_code_first_then_the_right_one(
    repair_client, auth_for, read_db, gateway
):
    headers = auth_for(OLIVIA, "conv-dd")
    started = await _start(repair_client, headers, "dd-main")
    assert started["asks_code"] is True
    form = await repair_client.post(
        _path(started["url"]),
        data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
    )
    assert form.status_code == 200
    assert '<form id="code"' in form.text and _outcome(form.text) is None
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("awaiting_code", "needs_code")

    wrong = await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(form.text), "code": "111111"}
    )
    assert wrong.status_code == 200
    assert _outcome(wrong.text) == "code_rejected"
    assert '<form id="code"' in wrong.text
    assert "Attempts left: 4" in wrong.text
    assert _links(read_db, "dd-main") == [("disconnected", "two_factor_required", None)] * 2

    # The old step nonce is spent: only the newest code form works.
    stale = await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(form.text), "code": "246810"}
    )
    assert stale.status_code == 410
    right = await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(wrong.text), "code": "246 810"}
    )
    assert _outcome(right.text) == "succeeded"
    assert _links(read_db, "dd-main") == [("active", None, None)] * 2
    assert [body["entities"]["pairing_event"] for body in gateway.bodies()] == [
        "credentials_submitted",
        "code_submitted",
        "code_submitted",
    ]


async def test_code_typed_in_the_chat(repair_client, auth_for, user_ids, internal_headers, gateway):
    headers = auth_for(OLIVIA, "conv-chat")
    started = await _start(repair_client, headers, "gl-main")
    body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-chat", "code": "246810"}
    early = await repair_client.post("/internal/repair/codes", json=body, headers=internal_headers)
    assert early.status_code == 404
    assert early.json() == {"detail": {"code": "no_pending_code"}}

    await repair_client.post(
        _path(started["url"]),
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
    started = await _start(repair_client, headers, "ue-main")
    response = await repair_client.post(
        _path(started["url"]), data={"email": "ubereats@demo-kitchen.test", "password": "nope"}
    )
    assert _outcome(response.text) == "wrong_password"
    assert "new link" in response.text
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("failed", "invalid_credentials")
    assert (await repair_client.get(_path(started["url"]))).status_code == 410
    assert _links(read_db, "ue-main") == [("disconnected", "invalid_credentials", None)] * 2
    # A new link works.
    second = await _start(repair_client, headers, "ue-main")
    ok = await repair_client.post(
        _path(second["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert _outcome(ok.text) == "succeeded"


async def test_missing_fields_reshow_the_form_and_keep_the_link(repair_client, auth_for):
    started = await _start(repair_client, auth_for(OLIVIA), "ue-main")
    response = await repair_client.post(_path(started["url"]), data={"email": "a@b.test"})
    assert response.status_code == 422
    assert '<form id="credentials"' in response.text
    assert (await repair_client.get(_path(started["url"]))).status_code == 200


async def test_a_new_pairing_supersedes_the_earlier_one(repair_client, auth_for):
    headers = auth_for(OLIVIA)
    first = await _start(repair_client, headers, "dd-main")
    second = await _start(repair_client, headers, "dd-main")
    assert (await repair_client.get(_path(first["url"]))).status_code == 410
    assert (await repair_client.get(_path(second["url"]))).status_code == 200
    old = (
        await repair_client.get(f"/api/v1/repair/pairings/{first['pairing_id']}", headers=headers)
    ).json()
    assert (old["state"], old["outcome"]) == ("expired", "superseded")
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert current["pairing_id"] == second["pairing_id"]
    # Another account's pairing is not touched.
    other = await _start(repair_client, headers, "ue-main")
    assert (await repair_client.get(_path(second["url"]))).status_code == 200
    assert (await repair_client.get(_path(other["url"]))).status_code == 200


async def test_expired_links(repair_client_with, auth_for, read_db):
    async with repair_client_with(pairing_ttl_seconds=0) as client:
        headers = auth_for(OLIVIA)
        started = await _start(client, headers, "ue-main")
        assert (started["state"], started["outcome"]) == ("expired", "expired")
        page = await client.get(_path(started["url"]))
        assert page.status_code == 410 and _outcome(page.text) == "gone"
        post = await client.post(
            _path(started["url"]),
            data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
        )
        assert post.status_code == 410
        current = (await client.get("/api/v1/repair/pairings/current", headers=headers)).json()
        assert (current["state"], current["outcome"]) == ("expired", "expired")
    assert _links(read_db, "ue-main") == [("disconnected", "invalid_credentials", None)] * 2
    stored = read_db(lambda s: s.get(PairingSession, started["pairing_id"]).state)
    assert stored == "open"  # reading an expired link changed nothing


async def test_lockout_after_five_wrong_codes(
    repair_client_with, auth_for, user_ids, internal_headers, read_db
):
    async with repair_client_with(pairing_lock_seconds=600, pairing_code_window_seconds=60) as c:
        headers = auth_for(OLIVIA, "conv-lock")
        started = await _start(c, headers, "dd-main")
        form = await c.post(
            _path(started["url"]),
            data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
        )
        step = _step(form.text)
        body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-lock", "code": "000000"}
        outcomes = []
        for _ in range(2):  # two from the page
            page = await c.post(_path(started["url"]) + "/code", data={"step": step, "code": "1"})
            outcomes.append(_outcome(page.text))
            step = _step(page.text)
        for _ in range(2):  # two from the chat
            answer = await c.post("/internal/repair/codes", json=body, headers=internal_headers)
            outcomes.append(answer.json()["outcome"])
        assert outcomes == ["code_rejected"] * 4
        last = await c.post(_path(started["url"]) + "/code", data={"step": step, "code": "2"})
        assert _outcome(last.text) == "locked"
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
        assert (await _start(c, headers, "gl-main"))["state"] == "open"
    assert _links(read_db, "dd-main") == [("disconnected", "two_factor_required", None)] * 2


async def test_the_lock_ends(repair_client_with, auth_for, user_ids, internal_headers, read_db):
    async with repair_client_with(pairing_lock_seconds=1, pairing_max_code_failures=1) as c:
        headers = auth_for(OLIVIA, "conv-x")
        started = await _start(c, headers, "dd-main")
        await c.post(
            _path(started["url"]),
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
        again = await _start(c, headers, "dd-main")
        assert (again["state"], again["attempts_left"], again["locked_until"]) == ("open", 1, None)


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
    started = await _start(repair_client, headers, "ue-main")
    page = await repair_client.post(
        _path(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    assert _outcome(page.text) == "new_error"
    assert "signs in with a method we cannot use" in page.text
    current = (await repair_client.get("/api/v1/repair/pairings/current", headers=headers)).json()
    assert (current["state"], current["outcome"]) == ("succeeded", "new_error")
    assert [(b["error_type"], b["error_case"]) for b in current["broken"]] == [
        ("invalid_store_configuration", "non_traditional_login")
    ]
    assert current["broken"][0]["next_step"]["kind"] == "portal_steps"
    assert (
        _links(read_db, "ue-main")
        == [("disconnected", "invalid_store_configuration", "non_traditional_login")] * 2
    )
    # The injection was consumed: the next pairing is clean.
    sandbox = await repair_client.put(
        "/internal/sandbox/accounts/ue-main", json={}, headers=internal_headers
    )
    assert sandbox.json()["injections"] == []


async def test_start_refusals(repair_client, auth_for, read_db):
    headers = auth_for(OLIVIA)
    cases = [
        ("gh-main", 409, {"code": "not_broken"}),
        ("dd-river", 409, {"code": "not_broken"}),
        ("dr-river", 409, {"code": "portal_steps"}),
        ("ue-river", 409, {"code": "portal_steps"}),
        ("no-such-account", 403, {"code": "forbidden"}),
    ]
    for account_id, status, detail in cases:
        response = await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": account_id}, headers=headers
        )
        assert (response.status_code, response.json()) == (status, {"detail": detail}), account_id
    for email in (SOFIA, MARC):
        response = await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": "ue-main"}, headers=auth_for(email)
        )
        assert response.status_code == 403
        assert response.json() == {"detail": {"code": "not_allowed", "who_can": ["Olivia Owner"]}}
    assert read_db(lambda s: s.scalars(select(PairingSession)).all()) == []
    missing = await repair_client.post(
        "/api/v1/repair/pairings", json={"account_id": "ue-main"}, headers={}
    )
    assert missing.status_code == 401


async def test_someone_elses_pairing_is_forbidden(repair_client, auth_for):
    started = await _start(repair_client, auth_for(OLIVIA), "ue-main")
    for email in (MARC, "hank@harbor-pizza.test"):
        response = await repair_client.get(
            f"/api/v1/repair/pairings/{started['pairing_id']}", headers=auth_for(email)
        )
        assert (response.status_code, response.json()) == (403, {"detail": {"code": "forbidden"}})
    unknown = await repair_client.get(
        "/api/v1/repair/pairings/" + "0" * 32, headers=auth_for(OLIVIA)
    )
    assert unknown.status_code == 403
    # The current pairing is per user and per conversation.
    other_conversation = await repair_client.get(
        "/api/v1/repair/pairings/current", headers=auth_for(OLIVIA, "conv-other")
    )
    assert other_conversation.status_code == 404
    assert other_conversation.json() == {"detail": {"code": "no_pairing"}}


async def test_audit_log_of_a_pairing(repair_client, auth_for, user_ids, read_db):
    headers = auth_for(OLIVIA, "conv-audit")
    started = await _start(repair_client, headers, "dd-main")
    form = await repair_client.post(
        _path(started["url"]),
        data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
    )
    wrong = await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(form.text), "code": "135790"}
    )
    await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(wrong.text), "code": "246810"}
    )
    rows = read_db(
        lambda s: [
            (row.user_id, row.action, row.detail)
            for row in s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        ]
    )
    assert [(uid, action, detail.get("result")) for uid, action, detail in rows] == [
        (user_ids[OLIVIA], "repair.pairing_started", None),
        (user_ids[OLIVIA], "repair.pairing_credentials", "needs_code"),
        (user_ids[OLIVIA], "repair.pairing_code", "rejected"),
        (user_ids[OLIVIA], "repair.pairing_code", "accepted"),
        (user_ids[OLIVIA], "repair.pairing_result", "succeeded"),
    ]
    for _, _, detail in rows:
        assert detail["account_id"] == "dd-main"
        assert detail["pairing_id"] == started["pairing_id"]
        assert detail["stores"] == ["Downtown / Burger Barn", "Downtown / Taco Town"]
    assert "135790" not in repr(rows) and "246810" not in repr(rows)
    assert "demo-password" not in repr(rows)
