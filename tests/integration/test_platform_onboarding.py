"""The onboarding state machine: sign-in link (the repair's pairing page, for a NEW
account), brand merge / new, store choice, the provider's QA, alerts and "Retry menu
export", permissions and organization isolation. The sandbox provider is real; QA
passes through ``POST /internal/sandbox/onboardings/{id}/qa`` (its timer is off here).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bot.platform.models import AuditLog, Brand, ProviderAccount, StoreLink
from bot.platform.models.onboarding import Onboarding
from tests.integration.records import sandbox_calls

OLIVIA = "olivia@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
LOGIN = {"email": "grubhub-riverside@demo-kitchen.test", "password": "demo-password"}


@pytest.fixture(autouse=True)
def _no_qa_timer(monkeypatch):
    monkeypatch.setenv("ONBOARDING_QA_SECONDS", "0")


async def _open(client, headers, provider="Grubhub", location="Riverside") -> str:
    response = await client.post(
        "/api/v1/onboarding",
        json={"provider": provider, "location": location, "lang": "en"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["eligible"], response.text
    return response.json()["onboarding"]["onboarding_id"]


async def _link(client, headers, onboarding_id: str) -> dict:
    response = await client.post(
        f"/api/v1/onboarding/{onboarding_id}/pairing", json={"lang": "en"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _signed_in(client, headers, provider="Grubhub", location="Riverside") -> str:
    onboarding_id = await _open(client, headers, provider, location)
    started = await _link(client, headers, onboarding_id)
    page = await client.post(urlsplit(started["url"]).path, data=LOGIN)
    assert page.status_code == 200 and "Connected" in page.text or "connected" in page.text
    return onboarding_id


async def _get(client, headers, onboarding_id: str) -> dict:
    response = await client.get(f"/api/v1/onboarding/{onboarding_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _post(client, headers, onboarding_id: str, step: str, body: dict):
    return await client.post(
        f"/api/v1/onboarding/{onboarding_id}/{step}", json=body, headers=headers
    )


def _add_menu_hours_at_airport(demo_db_url: str) -> None:
    """The merchant adds menu hours to the menu at Airport (DoorDash's criterion)."""
    from bot.platform.db import make_engine, session_factory
    from bot.platform.models import Menu, MenuHours, Store

    engine = make_engine(demo_db_url)
    with session_factory(engine)() as session:
        store = next(s for s in session.scalars(select(Store)) if s.location.name == "Airport")
        menu = session.scalars(select(Menu).where(Menu.store_id == store.id)).one()
        menu.hours.append(MenuHours(day_of_week=0, opens_minute=600, closes_minute=660))
        session.commit()
    engine.dispose()


def _actions(read_db) -> list[str]:
    return read_db(lambda s: [a.action for a in s.scalars(select(AuditLog).order_by(AuditLog.id))])


async def test_the_whole_onboarding_to_passed_qa(
    repair_client, auth_for, gateway, read_db, internal_headers
):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    started = await _link(repair_client, olivia, onboarding_id)
    assert started["state"] == "pairing" and started["url"].count("/pair/") == 1
    assert started["account"] == "Grubhub — Riverside"
    assert started["pairing"]["asks_code"] is False

    form = await repair_client.get(urlsplit(started["url"]).path)  # the repair's page
    assert form.status_code == 200 and "Grubhub — Riverside" in form.text
    await repair_client.post(urlsplit(started["url"]).path, data=LOGIN)
    assert gateway.bodies()[-1]["intent"] == "onboarding_update"
    assert gateway.bodies()[-1]["entities"] == {"onboarding_event": "credentials_submitted"}

    view = await _get(repair_client, olivia, onboarding_id)
    assert view["state"] == "choose_brand"
    assert view["brands"] == ["Taco Town"]
    assert [(s["name"], s["active"]) for s in view["stores"]] == [("Riverside / Taco Town", True)]
    assert view["failing"] == []
    ref = view["stores"][0]["ref"]

    view = (
        await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    ).json()
    assert view["state"] == "choose_stores" and view["brand_mode"] == "merge"

    response = await _post(repair_client, olivia, onboarding_id, "stores", {"stores": [ref]})
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["state"] == "waiting_qa" and view["replayed"] is False
    assert view["linked"] == [
        {
            "location": "Riverside",
            "brand": "Taco Town",
            "store_id": view["linked"][0]["store_id"],
            "state": "connected",
            "passed_qa": False,
            "activated": False,
        }
    ]
    store_id = view["linked"][0]["store_id"]
    calls = await sandbox_calls(repair_client, internal_headers, "menu_export", str(store_id))
    assert len(calls) == 1

    again = await _post(repair_client, olivia, onboarding_id, "stores", {"stores": [ref]})
    assert again.json()["replayed"] is True  # a second confirm: the same answer
    calls = await sandbox_calls(repair_client, internal_headers, "menu_export", str(store_id))
    assert len(calls) == 1

    passed = await repair_client.post(
        f"/internal/sandbox/onboardings/{onboarding_id}/qa", headers=internal_headers
    )
    assert passed.json()["state"] == "passed_qa"
    assert gateway.bodies()[-1]["entities"] == {"onboarding_event": "qa_passed"}
    view = await _get(repair_client, olivia, onboarding_id)
    assert view["state"] == "passed_qa"
    assert view["linked"][0]["passed_qa"] is True and view["linked"][0]["activated"] is False
    actions = _actions(read_db)
    for action in (
        "onboarding.start",
        "onboarding.signed_in",
        "onboarding.brand",
        "onboarding.stores",
        "onboarding.qa_passed",
    ):
        assert actions.count(action) == 1, action


async def test_a_code_asking_provider_uses_the_code_form(repair_client, auth_for, demo_db_url):
    _add_menu_hours_at_airport(demo_db_url)
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia, "DoorDash", "Airport")
    started = await _link(repair_client, olivia, onboarding_id)
    assert started["pairing"]["asks_code"] is True
    path = urlsplit(started["url"]).path
    page = await repair_client.post(path, data=LOGIN)
    step = page.text.split('name="step" value="', 1)[1].split('"', 1)[0]
    await repair_client.post(path + "/code", data={"step": step, "code": "246810"})
    view = await _get(repair_client, olivia, onboarding_id)
    assert view["state"] == "choose_brand"
    assert view["stores"][0]["name"] == "Airport / Burger Barn"


async def test_a_new_link_supersedes_the_first(repair_client, auth_for):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    first = await _link(repair_client, olivia, onboarding_id)
    second = await _link(repair_client, olivia, onboarding_id)
    assert first["account_id"] == second["account_id"]  # one new account, reused
    gone = await repair_client.get(urlsplit(first["url"]).path)
    assert gone.status_code == 410
    assert (await repair_client.get(urlsplit(second["url"]).path)).status_code == 200


async def test_a_wrong_password_reads_as_invalid_credentials(repair_client, auth_for):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    started = await _link(repair_client, olivia, onboarding_id)
    await repair_client.post(urlsplit(started["url"]).path, data={**LOGIN, "password": "nope"})
    view = await _get(repair_client, olivia, onboarding_id)
    assert view["state"] == "pairing"
    assert view["pairing"]["outcome"] == "invalid_credentials"


async def test_a_new_brand_gets_its_own_store_and_menu(repair_client, auth_for, read_db):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _signed_in(repair_client, olivia)
    response = await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "new"})
    view = response.json()
    assert response.status_code == 200, response.text
    assert view["brand_mode"] == "new"
    view = (await _post(repair_client, olivia, onboarding_id, "stores", {"stores": ["all"]})).json()
    assert view["state"] == "waiting_qa"
    assert [(s["location"], s["brand"]) for s in view["linked"]] == [
        ("Riverside", "Taco Town (Grubhub)")
    ]
    brands = read_db(lambda s: sorted(b.name for b in s.scalars(select(Brand))))
    assert "Taco Town (Grubhub)" in brands


async def test_the_brand_is_chosen_once_and_only_after_the_sign_in(repair_client, auth_for):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    early = await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    assert early.status_code == 409 and early.json()["detail"]["state"] == "ready"
    await _link(repair_client, olivia, onboarding_id)
    bad = await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    assert bad.json()["detail"] == {"code": "wrong_step", "state": "pairing"}


async def test_menu_import_failed_then_retry_menu_export(
    repair_client, auth_for, internal_headers, read_db
):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _signed_in(repair_client, olivia)
    view = (
        await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    ).json()
    store_id = view["stores"][0]["store_id"]
    fault = {"method": "menu_export", "target": str(store_id), "error": "menu_import_failed"}
    for _ in range(2):  # the stores' export and the first retry fail
        response = await repair_client.post(
            "/internal/sandbox/faults", json=fault, headers=internal_headers
        )
        assert response.status_code == 201, response.text
    view = (await _post(repair_client, olivia, onboarding_id, "stores", {"stores": ["all"]})).json()
    assert view["state"] == "alert"
    assert view["alert"]["code"] == "menu_import_failed"
    assert view["alert"]["name"] == "Menu import failed"
    assert view["alert"]["retry"] is True and view["alert"]["stores"] == ["Riverside / Taco Town"]
    assert "Retry menu export" in view["alert"]["fix"]

    first = await _post(repair_client, olivia, onboarding_id, "menu-export", {"request_id": "r1"})
    assert first.json()["state"] == "alert" and first.json()["retry"]["ok"] is False
    second = await _post(repair_client, olivia, onboarding_id, "menu-export", {"request_id": "r2"})
    assert second.json()["state"] == "waiting_qa" and second.json()["retry"]["ok"] is True
    again = await _post(repair_client, olivia, onboarding_id, "menu-export", {"request_id": "r2"})
    assert again.json()["replayed"] is True and again.json()["state"] == "waiting_qa"
    calls = await sandbox_calls(repair_client, internal_headers, "menu_export", str(store_id))
    assert len(calls) == 3  # stores, r1, r2 — the repeated r2 is no new call
    assert _actions(read_db).count("menu.retry_export") == 2


async def test_missing_menu_hours_alert_from_the_provider(
    repair_client, auth_for, internal_headers
):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _signed_in(repair_client, olivia)
    view = (
        await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    ).json()
    fault = {
        "method": "menu_export",
        "target": str(view["stores"][0]["store_id"]),
        "error": "missing_menu_hours",
    }
    await repair_client.post("/internal/sandbox/faults", json=fault, headers=internal_headers)
    view = (await _post(repair_client, olivia, onboarding_id, "stores", {"stores": ["all"]})).json()
    assert view["alert"]["name"] == "Missing menu hours"
    assert view["alert"]["fix"].startswith("Add the menu hours of Riverside / Taco Town")


async def test_retry_export_without_an_alert_changes_nothing(repair_client, auth_for):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    response = await _post(repair_client, olivia, onboarding_id, "menu-export", {"request_id": "x"})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "wrong_step"


async def test_an_inactive_provider_store_fails_the_store_id_criterion(repair_client, auth_for):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    started = await _link(repair_client, olivia, onboarding_id)
    login = {"email": "owner+inactive@demo-kitchen.test", "password": "demo-password"}
    await repair_client.post(urlsplit(started["url"]).path, data=login)
    view = await _get(repair_client, olivia, onboarding_id)
    assert [f["criterion"] for f in view["failing"]] == ["store_id"]
    assert "Finish signing up with Grubhub" in view["failing"][0]["fix"]
    await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "merge"})
    response = await _post(repair_client, olivia, onboarding_id, "stores", {"stores": ["all"]})
    assert response.status_code == 409 and response.json()["detail"]["error"] == "bad_choice"


async def test_only_managers_and_only_their_organization(repair_client, auth_for, read_db):
    olivia = auth_for(OLIVIA)
    onboarding_id = await _open(repair_client, olivia)
    sofia = await _post(repair_client, auth_for(SOFIA), onboarding_id, "pairing", {})
    assert sofia.status_code == 403
    assert sofia.json()["detail"] == {"code": "not_allowed", "who_can": ["Olivia Owner"]}
    for step, body in (
        ("pairing", {}),
        ("brand", {"brand_mode": "new"}),
        ("stores", {"stores": ["all"]}),
        ("menu-export", {"request_id": "h"}),
    ):
        hank = await _post(repair_client, auth_for(HANK), onboarding_id, step, body)
        assert hank.status_code == 403 and hank.json()["detail"] == {"code": "forbidden"}, step
    hank = await repair_client.get(f"/api/v1/onboarding/{onboarding_id}", headers=auth_for(HANK))
    assert hank.status_code == 403 and hank.json()["detail"] == {"code": "forbidden"}
    unknown = await repair_client.get("/api/v1/onboarding/nope", headers=olivia)
    assert unknown.json()["detail"] == {"code": "forbidden"}
    assert (
        read_db(
            lambda s: s.scalars(
                select(ProviderAccount).where(ProviderAccount.label.like("Grubhub — Riverside%"))
            ).all()
        )
        == []
    )


async def test_current_onboarding_of_the_conversation(repair_client, auth_for):
    olivia = auth_for(OLIVIA, "conv-9")
    none = await repair_client.get("/api/v1/onboarding/current", headers=olivia)
    assert none.status_code == 404 and none.json()["detail"] == {"code": "no_onboarding"}
    onboarding_id = await _open(repair_client, olivia)
    current = await repair_client.get("/api/v1/onboarding/current", headers=olivia)
    assert current.json()["onboarding_id"] == onboarding_id


async def test_the_demo_restore_removes_what_onboarding_created(repair_client, auth_for, read_db):
    from bot.platform.demo_restore import restore_demo_state

    olivia = auth_for(OLIVIA)
    onboarding_id = await _signed_in(repair_client, olivia)
    await _post(repair_client, olivia, onboarding_id, "brand", {"brand_mode": "new"})
    await _post(repair_client, olivia, onboarding_id, "stores", {"stores": ["all"]})

    def restore(session) -> tuple:
        restore_demo_state(session)
        return (
            session.scalars(select(Onboarding)).all(),
            sorted(b.name for b in session.scalars(select(Brand))),
            len(session.scalars(select(ProviderAccount)).all()),
            len(session.scalars(select(StoreLink)).all()),
        )

    onboardings, brands, accounts, links = read_db(restore)
    assert onboardings == [] and "Taco Town (Grubhub)" not in brands
    assert accounts == 9 and links == 11


async def test_a_code_typed_in_the_chat_continues_the_onboarding(
    repair_client, auth_for, user_ids, internal_headers, demo_db_url
):
    _add_menu_hours_at_airport(demo_db_url)
    olivia = auth_for(OLIVIA, "conv-onboarding")
    onboarding_id = await _open(repair_client, olivia, "DoorDash", "Airport")
    started = await _link(repair_client, olivia, onboarding_id)
    await repair_client.post(urlsplit(started["url"]).path, data=LOGIN)
    body = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-onboarding", "code": "246810"}
    taken = await repair_client.post("/internal/repair/codes", json=body, headers=internal_headers)
    assert taken.json()["outcome"] == "succeeded"
    # the gateway triggers the onboarding's update, not the repair's
    assert taken.json()["continue_intent"] == "onboarding_update"
    assert taken.json()["entities"] == {"onboarding_event": "code_submitted"}
    assert (await _get(repair_client, olivia, onboarding_id))["state"] == "choose_brand"
