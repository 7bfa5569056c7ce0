"""Activation through the platform API: what can be activated, permissions, isolation,
once-only activation under concurrent requests, and a provider's activation error.
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.platform.models import StoreLink
from tests.integration.records import audit_entries, sandbox_calls

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"


def _link_ids(read_db, account_id: str) -> list[int]:
    def query(session):
        statement = select(StoreLink.id).where(StoreLink.account_id == account_id)
        return list(session.scalars(statement.order_by(StoreLink.id)))

    return read_db(query)


def _link_state(read_db, link_id: int) -> tuple[str, bool]:
    def query(session):
        link = session.get(StoreLink, link_id)
        return link.state, link.activated

    return read_db(query)


def _audit(read_db, *actions: str) -> list[tuple[str, dict]]:
    return audit_entries(read_db, *actions)


async def _calls(client, internal_headers, link_id: int) -> list[dict]:
    return await sandbox_calls(client, internal_headers, "activate", str(link_id))


async def _locations(client, headers, **params):
    return await client.get("/api/v1/activation/locations", params=params, headers=headers)


async def _activate(client, headers, links, request_id="req-1", lang="en"):
    body = {"links": links, "request_id": request_id, "lang": lang}
    return await client.post("/api/v1/activation", json=body, headers=headers)


async def test_doordash_lists_riverside_and_says_why_downtown_cannot(client, auth_for, read_db):
    response = await _locations(client, auth_for(OLIVIA), provider="doordash", lang="en")
    assert response.status_code == 200, response.text
    body = response.json()
    [river] = _link_ids(read_db, "dd-river")
    assert body["provider"] == "DoorDash" and body["location"] is None
    assert body["activatable"] == [
        {
            "link_id": river,
            "account_id": "dd-river",
            "account": "DoorDash — Riverside",
            "provider": "DoorDash",
            "location": "Riverside",
            "brand": "Taco Town",
            "reason": None,
            "error_type": None,
            "problem": None,
            "fix": None,
        }
    ]
    blocked = [
        (b["account_id"], b["location"], b["brand"], b["reason"], b["error_type"], b["fix"])
        for b in body["blocked"]
    ]
    assert blocked == [
        ("dd-main", "Downtown", "Burger Barn", "disconnected", "two_factor_required", "reconnect"),
        ("dd-main", "Downtown", "Taco Town", "disconnected", "two_factor_required", "reconnect"),
    ]
    assert all(b["problem"] for b in body["blocked"])
    assert body["active"] == []


async def test_grubhub_is_already_active_and_a_location_filter_applies(client, auth_for):
    body = (await _locations(client, auth_for(OLIVIA), provider="GrubHub")).json()
    assert (body["activatable"], body["blocked"]) == ([], [])
    assert [(a["location"], a["reason"]) for a in body["active"]] == [("Airport", "already_active")]
    body = await _locations(client, auth_for(OLIVIA), provider="DoorDash", location="riverside")
    assert [a["location"] for a in body.json()["activatable"]] == ["Riverside"]
    assert body.json()["blocked"] == [] and body.json()["location"] == "Riverside"


async def test_unknown_provider_or_location_is_named(client, auth_for):
    response = await _locations(client, auth_for(OLIVIA), provider="NoSuchDelivery")
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "unknown_provider"
    response = await _locations(client, auth_for(OLIVIA), location="Harbor")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "unknown_location"
    assert detail["valid"] == ["Airport", "Downtown", "Riverside"]  # never Hank's Harbor


async def test_activating_riverside_once(client, auth_for, read_db, internal_headers):
    [river] = _link_ids(read_db, "dd-river")
    response = await _activate(client, auth_for(OLIVIA), [river])
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["outcome"], result["error"], result["replayed"]) == ("activated", None, False)
    assert (result["link"]["location"], result["link"]["brand"]) == ("Riverside", "Taco Town")
    assert _link_state(read_db, river) == ("active", True)
    [(action, detail)] = _audit(read_db, "integration.activate", "integration.activate_failed")
    assert action == "integration.activate"
    assert detail["store"] == "Riverside / Taco Town" and detail["request_id"] == "req-1"
    assert detail["account_id"] == "dd-river"

    again = await _activate(client, auth_for(OLIVIA), [river], request_id="req-2")
    [result] = again.json()["results"]
    assert (result["outcome"], result["replayed"]) == ("activated", True)
    assert len(await _calls(client, internal_headers, river)) == 1
    assert len(_audit(read_db, "integration.activate")) == 1
    overview = (await _locations(client, auth_for(OLIVIA), provider="DoorDash")).json()
    assert overview["activatable"] == [] and [a["link_id"] for a in overview["active"]] == [river]


async def test_twenty_concurrent_confirms_make_one_provider_call(
    client, auth_for, read_db, internal_headers
):
    [river] = _link_ids(read_db, "dd-river")
    headers = auth_for(OLIVIA)
    responses = await asyncio.gather(*(_activate(client, headers, [river]) for _ in range(20)))
    assert {r.status_code for r in responses} == {200}
    outcomes = [r.json()["results"][0] for r in responses]
    assert {o["outcome"] for o in outcomes} == {"activated"}
    assert sum(not o["replayed"] for o in outcomes) == 1
    assert len(await _calls(client, internal_headers, river)) == 1
    assert len(_audit(read_db, "integration.activate")) == 1


async def test_a_disconnected_location_gets_its_reason_and_is_not_touched(
    client, auth_for, read_db, internal_headers
):
    [river] = _link_ids(read_db, "dd-river")
    downtown = _link_ids(read_db, "dd-main")
    response = await _activate(client, auth_for(OLIVIA), [downtown[0], river])
    results = {r["link"]["link_id"]: r for r in response.json()["results"]}
    assert results[river]["outcome"] == "activated"
    assert results[downtown[0]]["outcome"] == "not_activatable"
    assert results[downtown[0]]["link"]["reason"] == "disconnected"
    assert results[downtown[0]]["link"]["fix"] == "reconnect"
    assert await _calls(client, internal_headers, downtown[0]) == []
    assert _link_state(read_db, downtown[0]) == ("disconnected", True)


async def test_an_already_active_link_is_said_so(client, auth_for, read_db, internal_headers):
    [grubhub] = _link_ids(read_db, "gh-main")
    response = await _activate(client, auth_for(OLIVIA), [grubhub])
    [result] = response.json()["results"]
    assert result["outcome"] == "already_active"
    assert await _calls(client, internal_headers, grubhub) == []
    assert _audit(read_db, "integration.activate") == []


async def test_a_provider_activation_error_is_reported_and_audited(
    client, auth_for, read_db, internal_headers
):
    [river] = _link_ids(read_db, "dd-river")
    fault = {"method": "activate", "target": str(river), "error": "activation_failed"}
    queued = await client.post("/internal/sandbox/faults", json=fault, headers=internal_headers)
    assert queued.status_code == 201, queued.text
    response = await _activate(client, auth_for(OLIVIA), [river])
    [result] = response.json()["results"]
    assert (result["outcome"], result["error"]) == ("failed", "activation_failed")
    assert _link_state(read_db, river) == ("connected", False)
    [(action, detail)] = _audit(read_db, "integration.activate", "integration.activate_failed")
    assert action == "integration.activate_failed" and detail["error"] == "activation_failed"
    assert detail["store"] == "Riverside / Taco Town"

    # A new Confirm after the failure is a new attempt; the fault was used once.
    retry = await _activate(client, auth_for(OLIVIA), [river], request_id="req-2")
    [result] = retry.json()["results"]
    assert (result["outcome"], result["replayed"]) == ("activated", False)
    assert len(await _calls(client, internal_headers, river)) == 2
    assert _link_state(read_db, river) == ("active", True)


async def test_marc_and_sofia_may_not_activate_and_are_told_who_can(client, auth_for, read_db):
    [river] = _link_ids(read_db, "dd-river")
    for email in (MARC, SOFIA):
        listed = await _locations(client, auth_for(email), provider="DoorDash")
        assert listed.status_code == 403
        assert listed.json()["detail"] == {"code": "not_allowed", "who_can": ["Olivia Owner"]}
        response = await _activate(client, auth_for(email), [river])
        assert response.status_code == 403
        assert response.json()["detail"] == {"code": "not_allowed", "who_can": ["Olivia Owner"]}
    assert _link_state(read_db, river) == ("connected", False)
    assert _audit(read_db, "integration.activate", "integration.activate_failed") == []


async def test_hank_sees_nothing_of_demo_kitchen_and_cannot_activate_it(
    client, auth_for, read_db, internal_headers
):
    [river] = _link_ids(read_db, "dd-river")
    body = (await _locations(client, auth_for(HANK))).json()
    seen = body["activatable"] + body["blocked"] + body["active"]
    assert {link["account_id"] for link in seen} == {"hp-ue"}
    assert (await _locations(client, auth_for(HANK), provider="DoorDash")).json()["blocked"] == []
    response = await _activate(client, auth_for(HANK), [river])
    assert (response.status_code, response.json()["detail"]) == (403, {"code": "forbidden"})
    unknown = await _activate(client, auth_for(HANK), [999999])
    assert (unknown.status_code, unknown.json()) == (response.status_code, response.json())
    assert _link_state(read_db, river) == ("connected", False)
    assert await _calls(client, internal_headers, river) == []


async def test_no_identity_no_activation(client, read_db):
    [river] = _link_ids(read_db, "dd-river")
    response = await client.post("/api/v1/activation", json={"links": [river]})
    assert response.status_code == 401
    assert (await client.get("/api/v1/activation/locations")).status_code == 401
