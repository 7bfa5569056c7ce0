"""Cancelling live orders through the platform API: every row of DEMO.md's orders table,
the reasons, permissions, isolation, a provider failure and its retry, removal from the
active orders. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.platform.models import LiveOrder
from tests.integration.records import audit_entries, sandbox_calls

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
REASONS = ["customer_request", "out_of_stock", "duplicate_order", "kitchen_closed", "too_busy"]


def order_row(read_db, ref: str) -> tuple[str, str | None, bool, bool]:
    def query(session):
        order = session.scalars(select(LiveOrder).where(LiveOrder.external_id == ref)).one()
        return (
            order.status,
            order.cancel_reason,
            order.cancelled_at is not None,
            (order.removed_from_active),
        )

    return read_db(query)


def audit(read_db, *actions: str) -> list[tuple[str, dict]]:
    return audit_entries(read_db, *actions)


async def calls(client, internal_headers, ref: str) -> list[dict]:
    return await sandbox_calls(client, internal_headers, "cancel", ref)


async def cancel(client, headers, ref, reason="too_busy", request_id="req-1"):
    body = {"reason": reason, "request_id": request_id}
    return await client.post(f"/api/v1/orders/{ref}/cancel", json=body, headers=headers)


async def test_every_row_of_the_orders_table(client, auth_for):
    expected = {
        "DD-1001": ("DoorDash", "Downtown", "Burger Barn", "preparing", None, None),
        "UE-2002": ("Uber Eats", "Airport", "Burger Barn", "ready", None, None),
        "GH-3003": ("Grubhub", "Airport", "Burger Barn", "delivered", "delivered", None),
        "PM-6006": ("Postmates", "Downtown", "Taco Town", "accepted", None, None),
        "SK-4004": ("SkipTheDishes", "Downtown", "Burger Barn", "preparing", "not_supported",
                    "855-200-7547"),
        "CN-5005": ("ChowNow", "Riverside", "Taco Town", "accepted", "not_supported",
                    "888-707-2469"),
    }  # fmt: skip
    for ref, (provider, location, brand, state, refusal, phone) in expected.items():
        response = await client.get(f"/api/v1/orders/{ref.lower()}", headers=auth_for(OLIVIA))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["ref"], body["provider"], body["location"], body["brand"]) == (
            ref, provider, location, brand,
        )  # fmt: skip
        assert (body["status"], body["refusal"], body["phone"]) == (state, refusal, phone), ref
        assert body["cancellable"] is (refusal is None)
        assert body["timezone"] == "America/New_York"
        assert body["placed_at"].endswith(("-05:00", "-04:00"))  # the location's time zone
        keys = [reason["key"] for reason in body["reasons"]]
        assert keys == [] if refusal else keys[:5] == REASONS, ref


async def test_reasons_come_from_the_catalog_in_the_callers_language(client, auth_for):
    fr = (await client.get("/api/v1/orders/UE-2002", headers=auth_for(MARC))).json()
    assert [r["label"] for r in fr["reasons"]] == [
        "Demande du client", "Articles en rupture de stock", "Commande en double",
        "Cuisine fermée", "Trop de commandes en cours", "Autre raison",
    ]  # fmt: skip
    es = await client.get("/api/v1/orders/DD-1001", params={"lang": "es"}, headers=auth_for(MARC))
    assert es.json()["reasons"][1] == {"key": "out_of_stock", "label": "Artículos agotados"}


async def test_cancelling_dd_1001_once(client, auth_for, read_db, internal_headers):
    response = await cancel(client, auth_for(OLIVIA), "DD-1001", "out_of_stock")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["outcome"], body["error"], body["replayed"]) == ("cancelled", None, False)
    assert body["order"]["status"] == "cancelled" and body["order"]["refusal"] == "cancelled"
    assert body["order"]["cancel_reason"] == {"key": "out_of_stock", "label": "Items out of stock"}
    assert order_row(read_db, "DD-1001") == ("cancelled", "out_of_stock", True, False)
    [(action, detail)] = audit(read_db, "order.cancel", "order.cancel_failed")
    assert action == "order.cancel" and detail["order"] == "DD-1001"
    assert detail["reason"] == "out_of_stock" and detail["store"] == "Downtown / Burger Barn"
    [call] = await calls(client, internal_headers, "DD-1001")
    assert call["provider_key"] == "doordash" and call["ok"] is True

    # A second Confirm (another request id) gets the same answer and calls no one.
    again = await cancel(client, auth_for(OLIVIA), "DD-1001", "too_busy", "req-2")
    assert (again.json()["outcome"], again.json()["replayed"]) == ("cancelled", True)
    assert len(await calls(client, internal_headers, "DD-1001")) == 1
    assert len(audit(read_db, "order.cancel")) == 1
    # Asking about it now: already cancelled, with the reason it was cancelled with.
    view = (await client.get("/api/v1/orders/DD-1001", headers=auth_for(OLIVIA))).json()
    assert (view["refusal"], view["cancel_reason"]["key"]) == ("cancelled", "out_of_stock")
    assert view["reasons"] == []


async def test_delivered_and_unsupported_orders_are_refused_without_a_call(
    client, auth_for, read_db, internal_headers
):
    for ref, refusal in (("GH-3003", "delivered"), ("SK-4004", "not_supported")):
        response = await cancel(client, auth_for(OLIVIA), ref, "too_busy")
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert (detail["code"], detail["refusal"]) == ("not_cancellable", refusal)
        assert await calls(client, internal_headers, ref) == []
    assert order_row(read_db, "GH-3003")[0] == "delivered"
    assert order_row(read_db, "SK-4004")[0] == "preparing"
    assert audit(read_db, "order.cancel", "order.cancel_failed") == []


async def test_a_reason_of_another_list_is_refused(client, auth_for, read_db):
    response = await cancel(client, auth_for(OLIVIA), "DD-1001", "other")  # Uber Eats only
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "unknown_reason" and detail["valid"] == REASONS
    assert order_row(read_db, "DD-1001")[0] == "preparing"
    ok = await cancel(client, auth_for(OLIVIA), "UE-2002", "other")
    assert ok.json()["outcome"] == "cancelled"


async def test_a_provider_failure_changes_nothing_and_a_retry_is_a_new_attempt(
    client, auth_for, read_db, internal_headers
):
    fault = {"method": "cancel", "target": "PM-6006", "error": "provider_error"}
    queued = await client.post("/internal/sandbox/faults", json=fault, headers=internal_headers)
    assert queued.status_code == 201, queued.text
    response = await cancel(client, auth_for(MARC), "pm-6006", "kitchen_closed")
    body = response.json()
    assert (body["outcome"], body["error"]) == ("failed", "provider_error")
    assert body["order"]["status"] == "accepted" and body["order"]["cancellable"] is True
    assert order_row(read_db, "PM-6006") == ("accepted", None, False, False)
    [(action, detail)] = audit(read_db, "order.cancel", "order.cancel_failed")
    assert action == "order.cancel_failed" and detail["error"] == "provider_error"

    retry = await cancel(client, auth_for(MARC), "PM-6006", "kitchen_closed", "req-2")
    assert (retry.json()["outcome"], retry.json()["replayed"]) == ("cancelled", False)
    assert len(await calls(client, internal_headers, "PM-6006")) == 2
    assert order_row(read_db, "PM-6006") == ("cancelled", "kitchen_closed", True, False)


async def test_sofia_may_not_cancel_and_is_told_who_can(client, auth_for, read_db):
    for response in (
        await client.get("/api/v1/orders/DD-1001", headers=auth_for(SOFIA)),
        await client.get("/api/v1/orders/XX-0000", headers=auth_for(SOFIA)),
        await client.get("/api/v1/orders", headers=auth_for(SOFIA)),
        await cancel(client, auth_for(SOFIA), "DD-1001"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == {
            "code": "not_allowed",
            "who_can": ["Marc Manager", "Olivia Owner"],
        }
    assert order_row(read_db, "DD-1001")[0] == "preparing"


async def test_hank_cannot_see_or_cancel_dd_1001_as_if_it_did_not_exist(
    client, auth_for, read_db, internal_headers
):
    hank = auth_for(HANK)
    answers = []
    for ref in ("DD-1001", "ZZ-9999"):
        answers.append((await client.get(f"/api/v1/orders/{ref}", headers=hank)).json())
        answers.append((await cancel(client, hank, ref)).json())
        answers.append((await client.post(f"/api/v1/orders/{ref}/remove", json={},
                                          headers=hank)).json())  # fmt: skip
    assert answers == [{"detail": {"code": "forbidden"}}] * 6
    listed = (await client.get("/api/v1/orders", headers=hank)).json()
    assert [order["ref"] for order in listed["orders"]] == ["HP-9001"]
    assert order_row(read_db, "DD-1001")[0] == "preparing"
    assert await calls(client, internal_headers, "DD-1001") == []
    # And Olivia never sees Harbor Pizza's order.
    olivia = await client.get("/api/v1/orders/HP-9001", headers=auth_for(OLIVIA))
    assert olivia.json() == {"detail": {"code": "forbidden"}}


async def test_recent_orders_by_provider_newest_first(client, auth_for):
    everything = (await client.get("/api/v1/orders", headers=auth_for(OLIVIA))).json()
    assert everything["provider"] is None
    # Newest first; delivered GH-3003 is not live.
    assert [o["ref"] for o in everything["orders"]] == [
        "PM-6006", "CN-5005", "DD-1001", "SK-4004", "UE-2002",
    ]  # fmt: skip
    doordash = await client.get(
        "/api/v1/orders", params={"provider": "door dash"}, headers=auth_for(OLIVIA)
    )
    assert doordash.json()["provider"] == "DoorDash"
    assert [o["ref"] for o in doordash.json()["orders"]] == ["DD-1001"]
    unknown = await client.get(
        "/api/v1/orders", params={"provider": "NoSuchDelivery"}, headers=auth_for(OLIVIA)
    )
    assert (unknown.status_code, unknown.json()["detail"]["code"]) == (422, "unknown_provider")
    await cancel(client, auth_for(OLIVIA), "DD-1001")
    after = await client.get("/api/v1/orders", params={"provider": "DoorDash"},
                             headers=auth_for(OLIVIA))  # fmt: skip
    assert after.json()["orders"] == []


async def test_removing_a_cancelled_order_from_the_active_list(client, auth_for, read_db):
    early = await client.post("/api/v1/orders/DD-1001/remove", json={}, headers=auth_for(OLIVIA))
    assert (early.status_code, early.json()["detail"]["code"]) == (409, "not_cancelled")
    await cancel(client, auth_for(OLIVIA), "DD-1001")
    body = {"request_id": "rm-1"}
    done = await client.post("/api/v1/orders/DD-1001/remove", json=body, headers=auth_for(OLIVIA))
    assert (done.json()["outcome"], done.json()["order"]["removed_from_active"]) == (
        "removed",
        True,
    )
    again = await client.post("/api/v1/orders/DD-1001/remove", json={}, headers=auth_for(MARC))
    assert again.json()["outcome"] == "removed" and again.json()["replayed"] is True
    assert order_row(read_db, "DD-1001") == ("cancelled", "too_busy", True, True)
    assert len(audit(read_db, "order.remove_from_active")) == 1


async def test_no_identity_no_cancellation(client, read_db):
    response = await client.post("/api/v1/orders/DD-1001/cancel", json={"reason": "too_busy"})
    assert response.status_code == 401
    assert order_row(read_db, "DD-1001")[0] == "preparing"
