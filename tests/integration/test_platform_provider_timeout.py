"""A provider that stops answering: every provider call is bounded by the provider timeout;
the caller is told ``provider_not_responding`` and nothing changes; a later attempt is a new
one and is done once. The sandbox's ``hang`` fault stands for the provider. SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bot.platform.models import LiveOrder, StoreLink
from tests.integration.records import audit_entries, sandbox_calls

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
TIMEOUT = 0.5
HANG = 3.0
FAST = {"provider_timeout_seconds": TIMEOUT, "sandbox_hang_seconds": HANG}


def _order_status(read_db, ref: str) -> tuple[str, str | None]:
    def query(session):
        order = session.scalars(select(LiveOrder).where(LiveOrder.external_id == ref)).one()
        return order.status, order.cancel_reason

    return read_db(query)


def _links(read_db, account_id: str) -> list[tuple[int, str, str | None]]:
    def query(session):
        rows = session.scalars(
            select(StoreLink).where(StoreLink.account_id == account_id).order_by(StoreLink.id)
        )
        return [(link.id, link.state, link.error_type) for link in rows]

    return read_db(query)


async def _hang(client, internal_headers, method: str, target: str) -> None:
    fault = {"method": method, "target": target, "error": "hang"}
    queued = await client.post("/internal/sandbox/faults", json=fault, headers=internal_headers)
    assert queued.status_code == 201, queued.text


async def _recorded(client, internal_headers, method: str, target: str, count: int) -> list:
    """The sandbox's calls once ``count`` are recorded (the hung one records itself late)."""
    deadline = time.monotonic() + HANG + 10
    while True:
        calls = await sandbox_calls(client, internal_headers, method, target)
        if len(calls) >= count or time.monotonic() > deadline:
            return calls
        await asyncio.sleep(0.2)


async def test_a_hung_cancellation_is_not_responding_and_changes_nothing(
    client_with, auth_for, read_db, internal_headers
):
    async with client_with(**FAST) as client:
        await _hang(client, internal_headers, "cancel", "PM-6006")
        body = {"reason": "kitchen_closed", "request_id": "req-1"}
        response = await client.post("/api/v1/orders/PM-6006/cancel", json=body,
                                     headers=auth_for(MARC))  # fmt: skip
        # answered before the provider woke up (it records the call when it does)
        assert await sandbox_calls(client, internal_headers, "cancel", "PM-6006") == []
        assert response.status_code == 200, response.text
        answer = response.json()
        assert (answer["outcome"], answer["error"]) == ("failed", "provider_not_responding")
        assert answer["order"]["status"] == "accepted" and answer["order"]["cancellable"]
        assert _order_status(read_db, "PM-6006") == ("accepted", None)
        [(action, detail)] = audit_entries(read_db, "order.cancel", "order.cancel_failed")
        assert (action, detail["error"]) == ("order.cancel_failed", "provider_not_responding")

        # The provider wakes up later having done nothing; a new Confirm cancels once.
        [hung] = await _recorded(client, internal_headers, "cancel", "PM-6006", 1)
        assert (hung["ok"], hung["error"]) == (False, "provider_not_responding")
        body["request_id"] = "req-2"
        retry = await client.post("/api/v1/orders/PM-6006/cancel", json=body,
                                  headers=auth_for(MARC))  # fmt: skip
        assert (retry.json()["outcome"], retry.json()["error"]) == ("cancelled", None)
        assert _order_status(read_db, "PM-6006") == ("cancelled", "kitchen_closed")
        calls = await sandbox_calls(client, internal_headers, "cancel", "PM-6006")
        assert [call["ok"] for call in calls] == [False, True]


async def test_a_hung_activation_is_not_responding_and_the_link_stays_inactive(
    client_with, auth_for, read_db, internal_headers
):
    [(river, state, _)] = _links(read_db, "dd-river")
    async with client_with(**FAST) as client:
        await _hang(client, internal_headers, "activate", str(river))
        body = {"links": [river], "request_id": "req-1", "lang": "en"}
        response = await client.post("/api/v1/activation", json=body, headers=auth_for(OLIVIA))
        assert response.status_code == 200, response.text
        [result] = response.json()["results"]
        assert (result["outcome"], result["error"]) == ("failed", "provider_not_responding")
        assert _links(read_db, "dd-river") == [(river, state, None)]
        await _recorded(client, internal_headers, "activate", str(river), 1)
        assert _links(read_db, "dd-river") == [(river, state, None)]


async def test_a_hung_connection_check_is_a_504_naming_the_provider(
    client_with, auth_for, read_db, internal_headers
):
    before = _links(read_db, "dr-river")
    async with client_with(**FAST) as client:
        await _hang(client, internal_headers, "check", "dr-river")
        url = "/api/v1/repair/accounts/dr-river/check"
        response = await client.post(url, json={"lang": "en"}, headers=auth_for(OLIVIA))
        assert response.status_code == 504, response.text
        assert response.json()["detail"] == {
            "code": "provider_not_responding",
            "provider": "Deliveroo",
        }
        assert _links(read_db, "dr-river") == before
        await asyncio.sleep(HANG)  # the hung check ends on its own, touching nothing
        assert _links(read_db, "dr-river") == before
        again = await client.post(url, json={"lang": "en"}, headers=auth_for(OLIVIA))
        assert again.json()["outcome"] == "resolved"


async def test_a_check_fault_can_only_hang(client, internal_headers):
    fault = {"method": "check", "target": "dr-river", "error": "provider_error"}
    refused = await client.post("/internal/sandbox/faults", json=fault, headers=internal_headers)
    assert (refused.status_code, refused.json()) == (422, {"detail": {"code": "bad_error"}})
