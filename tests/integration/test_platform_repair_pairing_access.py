"""Who may pair: refusals to start, someone else's pairing, and the audit log of a
pairing (no codes or passwords in it).

Runs on SQLite and on PostgreSQL (like every platform API test).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.platform.models import AuditLog, PairingSession
from tests.integration.pairing_requests import (
    MARC,
    OLIVIA,
    SOFIA,
    path_of,
    start_pairing,
    step_of,
)


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
    started = await start_pairing(repair_client, auth_for(OLIVIA), "ue-main")
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
    started = await start_pairing(repair_client, headers, "dd-main")
    form = await repair_client.post(
        path_of(started["url"]),
        data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
    )
    wrong = await repair_client.post(
        path_of(started["url"]) + "/code", data={"step": step_of(form.text), "code": "135790"}
    )
    await repair_client.post(
        path_of(started["url"]) + "/code", data={"step": step_of(wrong.text), "code": "246810"}
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
