"""Onboarding eligibility: each criterion of the provider's catalog entry, in its language.

"connect <provider> at <location>" (``POST /api/v1/onboarding``) checks the provider's
menu criteria (``providers/eligibility.yml``) on the location's stores that are not on
that provider yet; DEMO.md: Airport / Burger Barn has no menu hours, Downtown has no
menu, Riverside / Taco Town is valid (and already on DoorDash).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.platform.models import Menu, MenuItem, Store
from bot.platform.models.onboarding import Onboarding

OLIVIA = "olivia@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"


async def _check(client, headers, provider: str, location: str, lang: str = "en"):
    return await client.post(
        "/api/v1/onboarding",
        json={"provider": provider, "location": location, "lang": lang},
        headers=headers,
    )


async def test_doordash_at_airport_is_refused_for_missing_menu_hours(client, auth_for, read_db):
    response = await _check(client, auth_for(OLIVIA), "DoorDash", "Airport")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["eligible"] is False and body["onboarding"] is None
    assert body["stores"] == ["Airport / Burger Barn"]
    assert [(f["criterion"], f["store"]) for f in body["failing"]] == [
        ("menu_hours", "Airport / Burger Barn")
    ]
    failure = body["failing"][0]
    assert "no menu hours" in failure["problem"] and "30 minutes a week" in failure["problem"]
    assert failure["fix"].startswith("Add menu hours to the menu of Airport / Burger Barn")
    assert "A valid, active DoorDash store id" in body["criteria"]
    assert read_db(lambda s: s.scalars(select(Onboarding)).all()) == []  # nothing created


async def test_the_refusal_is_in_the_conversation_language(client, auth_for):
    fr = (await _check(client, auth_for(OLIVIA), "DoorDash", "Airport", "fr")).json()
    es = (await _check(client, auth_for(OLIVIA), "DoorDash", "Airport", "es")).json()
    assert "n'a pas d'heures de menu" in fr["failing"][0]["problem"]
    assert fr["failing"][0]["fix"].startswith("Ajoutez des heures de menu")
    assert "no tiene horario" in es["failing"][0]["problem"]
    assert es["failing"][0]["fix"].startswith("Añada un horario")


async def test_a_location_without_menu_fails_the_empty_menu_criterion(client, auth_for):
    body = (await _check(client, auth_for(OLIVIA), "Grubhub", "Downtown")).json()
    assert body["eligible"] is False
    failing = {(f["criterion"], f["store"]) for f in body["failing"]}
    assert ("menu_not_empty", "Downtown / Burger Barn") in failing
    assert ("menu_not_empty", "Downtown / Taco Town") in failing
    assert ("no_empty_items", "Downtown / Burger Barn") not in failing


async def test_empty_items_are_named(client, auth_for, demo_db_url):
    from bot.platform.db import make_engine, session_factory

    engine = make_engine(demo_db_url)
    with session_factory(engine)() as session:
        store = next(
            s
            for s in session.scalars(select(Store))
            if (s.location.name, s.brand.name) == ("Riverside", "Taco Town")
        )
        menu = session.scalars(select(Menu).where(Menu.store_id == store.id)).one()
        menu.items.append(MenuItem(position=9, name="Mystery Taco", price_cents=None))
        session.commit()
    engine.dispose()
    body = (await _check(client, auth_for(OLIVIA), "Grubhub", "Riverside")).json()
    assert [f["criterion"] for f in body["failing"]] == ["no_empty_items"]
    assert "(Mystery Taco)" in body["failing"][0]["problem"]


async def test_a_valid_menu_is_eligible_and_opens_an_onboarding(client, auth_for):
    body = (await _check(client, auth_for(OLIVIA), "GrubHub", "riverside")).json()
    assert body["eligible"] is True and body["failing"] == []
    assert body["provider"] == "Grubhub" and body["location"] == "Riverside"
    assert body["onboarding"]["state"] == "ready"
    assert body["onboarding"]["account_id"] is None


async def test_criteria_come_from_the_catalog_per_provider(client, auth_for):
    # Just Eat has the default criteria (no menu hours needed): Airport is eligible for it.
    body = (await _check(client, auth_for(OLIVIA), "Just Eat", "Airport")).json()
    assert body["eligible"] is True
    assert not any("hours" in name.lower() for name in body["criteria"])
    doordash = (await _check(client, auth_for(OLIVIA), "DoorDash", "Airport")).json()
    assert any("30 minutes a week" in name for name in doordash["criteria"])


async def test_a_location_already_on_the_provider_says_so(client, auth_for):
    response = await _check(client, auth_for(OLIVIA), "DoorDash", "Riverside")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "already_connected"
    assert detail["accounts"] == ["DoorDash — Riverside"]
    assert detail["stores"] == ["Riverside / Taco Town"]


async def test_unknown_provider_and_location(client, auth_for):
    response = await _check(client, auth_for(OLIVIA), "Foodzilla", "Airport")
    assert response.status_code == 422 and response.json()["detail"]["code"] == "unknown_provider"
    response = await _check(client, auth_for(OLIVIA), "DoorDash", "Moon")
    detail = response.json()["detail"]
    assert detail["code"] == "unknown_location"
    assert detail["valid"] == ["Airport", "Downtown", "Riverside"]


async def test_only_integration_managers_may_onboard(client, auth_for):
    response = await _check(client, auth_for(SOFIA), "Grubhub", "Riverside")
    assert response.status_code == 403
    assert response.json()["detail"] == {"code": "not_allowed", "who_can": ["Olivia Owner"]}


async def test_another_organization_never_sees_our_locations(client, auth_for):
    response = await _check(client, auth_for(HANK), "DoorDash", "Airport")
    detail = response.json()["detail"]
    assert detail["code"] == "unknown_location" and detail["valid"] == ["Harbor"]
