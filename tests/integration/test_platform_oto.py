"""OTO settings by chat (platform API): reading, the currency, branch activation, permissions.

SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.platform.models import AuditLog, DispatchBranch, DispatchIntegration, Operation

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
DEMO_PAIR = {"retailer_id": "OTO-DEMO-1", "token": "oto-demo-token"}


def _audit(read_db, action: str) -> list[dict]:
    def run(session):
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action)).all()
        return [dict(row.detail) for row in rows]

    return read_db(run)


def _integration(read_db, org: str = "Demo Kitchen Group") -> tuple:
    def run(session):
        rows = session.scalars(select(DispatchIntegration)).all()
        found = next(row for row in rows if row.organization.name == org)
        active = sorted(b.location.name for b in found.branches if b.active)
        return found.retailer_id, found.token_secret, found.currency, active

    return read_db(run)


async def _set_up(client, headers) -> None:
    started = await client.post("/api/v1/oto/setups", json={"lang": "en"}, headers=headers)
    assert started.status_code == 201, started.text
    page = await client.post(urlsplit(started.json()["url"]).path, data=DEMO_PAIR)
    assert 'data-outcome="saved"' in page.text


async def test_everyone_reads_the_settings_never_a_secret(client, auth_for):
    for email in (OLIVIA, MARC, SOFIA):
        response = await client.get("/api/v1/oto?lang=fr", headers=auth_for(email))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == {
            "set_up": False,
            "currency": "SAR",
            "currency_name": "Riyal saoudien",
            "branches": [
                {"location": "Airport", "active": False},
                {"location": "Downtown", "active": True},
                {"location": "Riverside", "active": True},
            ],
            "may_manage": email == OLIVIA,
            "who_can": ["Olivia Owner"],
        }
    hank = (await client.get("/api/v1/oto", headers=auth_for(HANK))).json()
    assert [b["location"] for b in hank["branches"]] == ["Harbor"]
    assert hank["set_up"] is False


async def test_currency_codes_are_iso_4217(client, auth_for):
    headers = auth_for(SOFIA)
    ok = await client.get("/api/v1/oto/currencies/usd?lang=es", headers=headers)
    assert ok.json() == {"code": "USD", "name": "Dólar estadounidense"}
    for wrong in ("ABC", "OTO", "XXX", "XAU", "SA", "SARS", "12$"):
        response = await client.get(f"/api/v1/oto/currencies/{wrong}", headers=headers)
        assert response.status_code == 422, wrong
        assert response.json()["detail"]["code"] == "invalid_currency"


async def test_olivia_changes_the_currency_once_per_confirm(client, auth_for, read_db):
    headers = auth_for(OLIVIA)
    body = {"currency": "aed", "request_id": "req-1", "lang": "en"}
    answers = await asyncio.gather(
        *(client.put("/api/v1/oto/currency", json=body, headers=headers) for _ in range(5))
    )
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["currency"] for a in answers} == {"AED"}
    assert {a.json()["previous"] for a in answers} == {"SAR"}
    assert _integration(read_db)[2] == "AED"
    assert _audit(read_db, "oto.currency") == [
        {"currency": "AED", "previous": "SAR", "request_id": "req-1"}
    ]
    invalid = await client.put(
        "/api/v1/oto/currency", json={"currency": "ZZZ", "request_id": "req-2"}, headers=headers
    )
    assert invalid.status_code == 422 and invalid.json()["detail"]["code"] == "invalid_currency"
    assert _integration(read_db)[2] == "AED"


async def test_marc_and_sofia_may_not_change_anything(client, auth_for, read_db):
    for email in (MARC, SOFIA):
        headers = auth_for(email)
        answers = [
            await client.put(
                "/api/v1/oto/currency", json={"currency": "USD", "request_id": "r"}, headers=headers
            ),
            await client.put(
                "/api/v1/oto/branches/active", json={"location": "Airport"}, headers=headers
            ),
            await client.post("/api/v1/oto/setups", json={"lang": "en"}, headers=headers),
        ]
        for answer in answers:
            assert answer.status_code == 403
            assert answer.json()["detail"] == {"code": "not_allowed", "who_can": ["Olivia Owner"]}
    assert _integration(read_db)[2:] == ("SAR", ["Downtown", "Riverside"])
    assert read_db(lambda s: s.scalars(select(Operation)).all()) == []


async def test_branches_come_after_the_retailer_id(client, auth_for, read_db):
    headers = auth_for(OLIVIA)
    early = await client.put(
        "/api/v1/oto/branches/active", json={"location": "Airport"}, headers=headers
    )
    assert early.status_code == 409 and early.json()["detail"]["code"] == "not_set_up"
    await _set_up(client, headers)

    unknown = await client.put(
        "/api/v1/oto/branches/active", json={"location": "Harbor"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == {
        "code": "unknown_location",
        "valid": ["Airport", "Downtown", "Riverside"],
    }
    answers = await asyncio.gather(
        *(
            client.put("/api/v1/oto/branches/active", json={"location": "airport"}, headers=headers)
            for _ in range(5)
        )
    )
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["location"] for a in answers} == {"Airport"}
    assert _integration(read_db)[3] == ["Airport", "Downtown", "Riverside"]
    assert _audit(read_db, "oto.branch_activate") == [{"location": "Airport"}]
    again = await client.put(
        "/api/v1/oto/branches/active", json={"location": "Downtown"}, headers=headers
    )
    assert again.json() == {
        "location": "Downtown",
        "active": True,
        "already": True,
        "replayed": False,
    }
    branches = read_db(lambda s: len(s.scalars(select(DispatchBranch)).all()))
    assert branches == 3


async def test_activating_airport_makes_f7004_dispatchable(client, auth_for):
    headers = auth_for(OLIVIA)
    before = await client.get("/api/v1/dispatch/orders/F-7004/diagnosis", headers=headers)
    assert [r["code"] for r in before.json()["reasons"]] == ["branch_inactive"]
    await _set_up(client, headers)
    await client.put("/api/v1/oto/branches/active", json={"location": "Airport"}, headers=headers)
    after = await client.get("/api/v1/dispatch/orders/F-7004/diagnosis", headers=headers)
    assert after.json()["reasons"] == []
