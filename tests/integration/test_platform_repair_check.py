"""Store-configuration repairs: the check after the portal steps, "later", repair requests,
and the isolation of another organization's accounts. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.platform.models import AuditLog, PairingSession, RepairRequest, StoreLink

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
DKG_ACCOUNTS = ["ue-main", "dd-main", "dd-river", "gh-main", "dr-river", "ue-river", "gl-main"]


def _links(read_db, account_id: str | None = None) -> list[tuple]:
    def query(session):
        statement = select(StoreLink).order_by(StoreLink.id)
        if account_id:
            statement = statement.where(StoreLink.account_id == account_id)
        return [
            (link.account_id, link.state, link.error_type, link.error_case, link.since)
            for link in session.scalars(statement).all()
        ]

    return read_db(query)


async def _check(client, headers, account_id: str, lang: str = "en"):
    return await client.post(
        f"/api/v1/repair/accounts/{account_id}/check", json={"lang": lang}, headers=headers
    )


async def test_deliveroo_steps_completed_is_resolved(repair_client, auth_for, read_db):
    response = await _check(repair_client, auth_for(OLIVIA), "dr-river")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "outcome": "resolved",
        "account_id": "dr-river",
        "account": "Deliveroo — Riverside",
        "provider": "Deliveroo",
        "stores": [{"location": "Riverside", "brand": "Taco Town"}],
        "broken": [],
    }
    assert [link[1:4] for link in _links(read_db, "dr-river")] == [("active", None, None)]
    again = await _check(repair_client, auth_for(OLIVIA), "dr-river")
    assert (again.status_code, again.json()) == (409, {"detail": {"code": "not_portal_steps"}})


async def test_still_inactive_is_not_resolved(repair_client, auth_for, internal_headers, read_db):
    still = {
        "on": "check",
        "error_type": "invalid_store_configuration",
        "error_case": "inactive_restaurant",
    }
    put = await repair_client.put(
        "/internal/sandbox/accounts/dr-river", json={"inject": [still]}, headers=internal_headers
    )
    assert put.json()["injections"] == [still]
    before = _links(read_db, "dr-river")
    response = await _check(repair_client, auth_for(OLIVIA), "dr-river", "fr")
    body = response.json()
    assert body["outcome"] == "not_resolved"
    assert [(b["error_type"], b["error_case"]) for b in body["broken"]] == [
        ("invalid_store_configuration", "inactive_restaurant")
    ]
    assert body["broken"][0]["next_step"]["kind"] == "portal_steps"
    assert "Deliveroo" in body["broken"][0]["problem"]
    assert _links(read_db, "dr-river") == before  # nothing changed, not even "since"
    # The injection was used once: the next check resolves.
    assert (await _check(repair_client, auth_for(OLIVIA), "dr-river")).json()["outcome"] == (
        "resolved"
    )


async def test_injected_resolution_on_check(repair_client, auth_for, internal_headers):
    put = await repair_client.put(
        "/internal/sandbox/accounts/ue-river",
        json={"inject": [{"on": "check", "error_type": None}]},
        headers=internal_headers,
    )
    assert put.status_code == 200
    response = await _check(repair_client, auth_for(OLIVIA), "ue-river")
    assert response.json()["outcome"] == "resolved"


async def test_uber_eats_non_traditional_login_then_reconnect(repair_client, auth_for, read_db):
    headers = auth_for(OLIVIA)
    body = (await _check(repair_client, headers, "ue-river")).json()
    assert body["outcome"] == "new_error"
    assert [(b["error_type"], b["error_case"]) for b in body["broken"]] == [
        ("invalid_credentials", None)
    ]
    assert body["broken"][0]["next_step"]["kind"] == "reconnect"
    assert [link[1:4] for link in _links(read_db, "ue-river")] == [
        ("disconnected", "invalid_credentials", None)
    ]
    started = await repair_client.post(
        "/api/v1/repair/pairings", json={"account_id": "ue-river"}, headers=headers
    )
    assert started.status_code == 201
    path = "/" + started.json()["url"].split("/", 3)[3]
    page = await repair_client.post(
        path, data={"email": "new-admin@demo-kitchen.test", "password": "demo-password"}
    )
    assert 'data-outcome="succeeded"' in page.text
    assert [link[1:4] for link in _links(read_db, "ue-river")] == [("active", None, None)]


async def test_check_needs_manage_rights(repair_client, auth_for, read_db):
    before = _links(read_db)
    for email in (MARC, SOFIA):
        response = await _check(repair_client, auth_for(email), "dr-river")
        assert response.status_code == 403
        assert response.json() == {"detail": {"code": "not_allowed", "who_can": ["Olivia Owner"]}}
    assert _links(read_db) == before
    for account_id in ("ue-main", "gh-main"):
        response = await _check(repair_client, auth_for(OLIVIA), account_id)
        assert response.json() == {"detail": {"code": "not_portal_steps"}}


async def test_later_is_audited_only(repair_client, auth_for, user_ids, read_db):
    before = _links(read_db)
    for email in (OLIVIA, MARC):
        response = await repair_client.post(
            "/api/v1/repair/accounts/dr-river/defer", json={}, headers=auth_for(email)
        )
        assert response.status_code == 200
        assert response.json() == {"account_id": "dr-river", "account": "Deliveroo — Riverside"}
    assert _links(read_db) == before
    rows = read_db(
        lambda s: [(r.user_id, r.action, r.detail) for r in s.scalars(select(AuditLog)).all()]
    )
    assert [(uid, action) for uid, action, _ in rows] == [
        (user_ids[OLIVIA], "repair.deferred"),
        (user_ids[MARC], "repair.deferred"),
    ]
    assert rows[0][2]["stores"] == ["Riverside / Taco Town"]
    status = (
        await repair_client.get("/api/v1/integrations/status", headers=auth_for(OLIVIA))
    ).json()
    assert "dr-river" in [b["account_id"] for b in status["broken"]]


async def test_repair_requests_show_in_the_status_until_fixed(repair_client, auth_for, read_db):
    for email in (SOFIA, MARC, SOFIA):
        response = await repair_client.post(
            "/api/v1/repair/accounts/ue-main/requests", headers=auth_for(email)
        )
        assert response.status_code == 201
        assert response.json() == {
            "account_id": "ue-main",
            "account": "Uber Eats — main",
            "notified": ["Olivia Owner"],
        }
    assert read_db(lambda s: len(s.scalars(select(RepairRequest)).all())) == 2
    status = (
        await repair_client.get("/api/v1/integrations/status", headers=auth_for(OLIVIA))
    ).json()
    requested = {b["account_id"]: b["requested_by"] for b in status["broken"]}
    assert requested["ue-main"] == ["Marc Manager", "Sofia Staff"]
    assert requested["dd-main"] == []
    # Olivia fixes it: the requests are closed.
    started = await repair_client.post(
        "/api/v1/repair/pairings", json={"account_id": "ue-main"}, headers=auth_for(OLIVIA)
    )
    path = "/" + started.json()["url"].split("/", 3)[3]
    await repair_client.post(
        path, data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"}
    )
    assert read_db(
        lambda s: [r.closed_at is not None for r in s.scalars(select(RepairRequest)).all()]
    ) == [True, True]


async def test_hank_cannot_touch_demo_kitchen_group(
    repair_client, auth_for, user_ids, internal_headers, read_db
):
    """Harbor Pizza's manager gets 403 ``forbidden`` for every DKG account; nothing changes."""
    olivia = auth_for(OLIVIA, "conv-olivia")
    started = (
        await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": "dd-main"}, headers=olivia
        )
    ).json()
    path = "/" + started["url"].split("/", 3)[3]
    await repair_client.post(
        path, data={"email": "doordash@demo-kitchen.test", "password": "demo-password"}
    )

    def snapshot(session):
        pairings = [
            (p.id, p.state, p.outcome, p.user_id)
            for p in session.scalars(select(PairingSession).order_by(PairingSession.id))
        ]
        audit = len(session.scalars(select(AuditLog)).all())
        requests = len(session.scalars(select(RepairRequest)).all())
        return pairings, audit, requests

    before_links, before = _links(read_db), read_db(snapshot)
    hank = auth_for(HANK, "conv-olivia")  # even with the same conversation id
    forbidden = {"detail": {"code": "forbidden"}}
    for account_id in DKG_ACCOUNTS:
        calls = [
            repair_client.post(
                "/api/v1/repair/pairings", json={"account_id": account_id}, headers=hank
            ),
            repair_client.post(
                f"/api/v1/repair/accounts/{account_id}/check", json={"lang": "en"}, headers=hank
            ),
            repair_client.post(f"/api/v1/repair/accounts/{account_id}/defer", headers=hank),
            repair_client.post(f"/api/v1/repair/accounts/{account_id}/requests", headers=hank),
        ]
        for call in calls:
            response = await call
            assert (response.status_code, response.json()) == (403, forbidden), account_id
    read = await repair_client.get(f"/api/v1/repair/pairings/{started['pairing_id']}", headers=hank)
    assert (read.status_code, read.json()) == (403, forbidden)
    current = await repair_client.get("/api/v1/repair/pairings/current", headers=hank)
    assert current.status_code == 404
    code = await repair_client.post(
        "/internal/repair/codes",
        json={"user_id": user_ids[HANK], "conversation_id": "conv-olivia", "code": "246810"},
        headers=internal_headers,
    )
    assert code.status_code == 404
    assert _links(read_db) == before_links
    assert read_db(snapshot) == before
    # Hank's own account works for him.
    own = await repair_client.post(
        "/api/v1/repair/pairings", json={"account_id": "hp-ue"}, headers=hank
    )
    assert own.status_code == 201
    assert own.json()["stores"] == [{"location": "Harbor", "brand": "Harbor Pizza"}]
    olivia_try = await repair_client.post(
        "/api/v1/repair/pairings", json={"account_id": "hp-ue"}, headers=olivia
    )
    assert olivia_try.status_code == 403


async def test_check_audit(repair_client, auth_for, user_ids, read_db):
    await _check(repair_client, auth_for(OLIVIA), "ue-river")
    rows = read_db(
        lambda s: [(r.user_id, r.action, r.detail) for r in s.scalars(select(AuditLog)).all()]
    )
    assert rows == [
        (
            user_ids[OLIVIA],
            "repair.check",
            {
                "account_id": "ue-river",
                "account": "Uber Eats — Riverside",
                "stores": ["Riverside / Taco Town"],
                "before": {
                    "error_type": "invalid_store_configuration",
                    "error_case": "non_traditional_login",
                },
                "result": "new_error",
                "error_type": "invalid_credentials",
                "error_case": None,
            },
        )
    ]
