"""The OTO dispatch diagnosis (DEMO.md's dispatch table), on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.platform.api import create_app
from bot.platform.services.dispatch import REASON_CODES, load_texts

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"

# DEMO.md "Dispatch integration: OTO": order -> (branch, sent, failing conditions)
DISPATCH_TABLE = {
    "F-7001": ("Downtown", True, []),
    "F-7002": ("Downtown", False, ["no_delivery_address"]),
    "F-7003": ("Downtown", False, ["not_delivery"]),
    "F-7004": ("Airport", False, ["branch_inactive"]),
    "F-7005": ("Riverside", False, ["not_ready_not_in_kitchen"]),
    "F-7006": ("Riverside", False, ["cashier_open"]),
}
# Words of the expected answer each English text carries (problem, fix).
EXPECTED_EN = {
    "no_delivery_address": ("delivery address", "delivery address"),
    "not_delivery": ("not a delivery order", "Delivery orders"),
    "branch_inactive": ("Airport is inactive for OTO", "Active"),
    "not_ready_not_in_kitchen": ("not marked Ready", "kitchen first"),
    "cashier_open": ("cashier still has the order open", "full payment"),
}


@pytest.fixture
async def dispatch_client(settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a fresh platform app."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as c:
            yield c
    finally:
        app.state.platform.dispose()


def _url(order_ref: str, lang: str | None = None) -> str:
    url = f"/api/v1/dispatch/orders/{order_ref}/diagnosis"
    return f"{url}?lang={lang}" if lang else url


@pytest.mark.parametrize("order_ref", sorted(DISPATCH_TABLE))
async def test_every_row_of_the_dispatch_table_in_english(
    dispatch_client, auth_for, order_ref
) -> None:
    branch, sent, codes = DISPATCH_TABLE[order_ref]
    response = await dispatch_client.get(_url(order_ref, "en"), headers=auth_for(OLIVIA))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order"] == order_ref
    assert body["branch"] == branch
    assert body["sent"] is sent
    assert [reason["code"] for reason in body["reasons"]] == codes
    for reason in body["reasons"]:
        problem, fix = EXPECTED_EN[reason["code"]]
        assert problem in reason["problem"]
        assert fix in reason["fix"]


async def test_order_refs_are_case_insensitive(dispatch_client, auth_for) -> None:
    response = await dispatch_client.get(_url("f-7002"), headers=auth_for(SOFIA))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order"] == "F-7002"
    assert [reason["code"] for reason in body["reasons"]] == ["no_delivery_address"]


async def test_french(dispatch_client, auth_for) -> None:
    response = await dispatch_client.get(_url("F-7004", "fr"), headers=auth_for(MARC))
    assert response.status_code == 200, response.text
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "branch_inactive"
    assert "Airport" in reason["problem"] and "inactive pour OTO" in reason["problem"]
    assert "Active" in reason["fix"] and "OTO" in reason["fix"]

    response = await dispatch_client.get(_url("F-7006", "fr"), headers=auth_for(MARC))
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "cashier_open"
    assert "caisse" in reason["problem"]
    assert "paiement complet" in reason["fix"]


async def test_spanish(dispatch_client, auth_for) -> None:
    response = await dispatch_client.get(_url("F-7005", "es"), headers=auth_for(SOFIA))
    assert response.status_code == 200, response.text
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "not_ready_not_in_kitchen"
    assert "Listo" in reason["problem"]
    assert "cocina" in reason["fix"] and "Marcar listo" in reason["fix"]

    response = await dispatch_client.get(_url("F-7002", "es"), headers=auth_for(SOFIA))
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "no_delivery_address"
    assert "dirección de entrega" in reason["fix"]


async def test_unknown_language_falls_back_to_english(dispatch_client, auth_for) -> None:
    response = await dispatch_client.get(_url("F-7003", "de"), headers=auth_for(OLIVIA))
    (reason,) = response.json()["reasons"]
    assert "not a delivery order" in reason["problem"]


async def test_another_organizations_order_is_forbidden(dispatch_client, auth_for) -> None:
    hank = await dispatch_client.get(_url("F-7002"), headers=auth_for(HANK))
    unknown = await dispatch_client.get(_url("F-9999"), headers=auth_for(HANK))
    assert hank.status_code == 403
    assert hank.json() == {"detail": {"code": "forbidden"}}
    # No existence oracle: an existing order of another organization looks unknown.
    assert unknown.status_code == 403
    assert unknown.json() == hank.json()


async def test_unknown_order_is_forbidden(dispatch_client, auth_for) -> None:
    response = await dispatch_client.get(_url("F-0000"), headers=auth_for(OLIVIA))
    assert response.status_code == 403
    assert response.json() == {"detail": {"code": "forbidden"}}


async def test_no_identity_is_unauthorized(dispatch_client) -> None:
    response = await dispatch_client.get(_url("F-7002"))
    assert response.status_code == 401
    assert response.json() == {"detail": {"code": "unauthorized"}}
    forged = await dispatch_client.get(
        _url("F-7002"), headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status_code == 401


def test_every_condition_has_texts_in_every_language() -> None:
    texts = load_texts()
    assert list(texts) == list(REASON_CODES)
    for text in texts.values():
        assert set(text.problem) == set(text.fix) == {"en", "fr", "es"}
