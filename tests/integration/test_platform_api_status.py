"""The platform API's status, profile and catalog endpoints, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.platform.providers.catalog import get_catalog

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"

OLIVIA_BROKEN = [
    ("dr-river", "Deliveroo", "Deliveroo — Riverside", "invalid_store_configuration",
     "inactive_restaurant", [("Riverside", "Taco Town")], "portal_steps"),
    ("dd-main", "DoorDash", "DoorDash — main", "two_factor_required", None,
     [("Downtown", "Burger Barn"), ("Downtown", "Taco Town")], "reconnect"),
    ("gl-main", "Glovo", "Glovo — main", "third_party_blocked", None,
     [("Downtown", "Taco Town")], "reconnect"),
    ("ue-main", "Uber Eats", "Uber Eats — main", "invalid_credentials", None,
     [("Airport", "Burger Barn"), ("Downtown", "Burger Barn")], "reconnect"),
    ("ue-river", "Uber Eats", "Uber Eats — Riverside", "invalid_store_configuration",
     "non_traditional_login", [("Riverside", "Taco Town")], "portal_steps"),
]  # fmt: skip
OLIVIA_WORKING = [
    ("dd-river", "DoorDash", "DoorDash — Riverside", "connected", [("Riverside", "Taco Town")]),
    ("gh-main", "Grubhub", "Grubhub — main", "active", [("Airport", "Burger Barn")]),
    ("je-main", "Just Eat", "Just Eat — main", "active", [("Downtown", "Burger Barn")]),
]


def _stores(entry: dict) -> list[tuple[str, str]]:
    return [(store["location"], store["brand"]) for store in entry["stores"]]


def _broken(body: dict) -> list[tuple]:
    return [
        (b["account_id"], b["provider"], b["label"], b["error_type"], b["error_case"],
         _stores(b), b["next_step"]["kind"])
        for b in body["broken"]
    ]  # fmt: skip


def _working(body: dict) -> list[tuple]:
    return [
        (w["account_id"], w["provider"], w["label"], w["state"], _stores(w))
        for w in body["working"]
    ]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_healthz_and_openapi(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/healthz",
        "/api/v1/providers",
        "/api/v1/me",
        "/api/v1/integrations/status",
        "/internal/users/{user_id}",
        "/internal/users",
        "/internal/demo-users",
    ):
        assert path in spec["paths"], path


async def test_providers_are_public(client):
    response = await client.get("/api/v1/providers")
    assert response.status_code == 200
    providers = {p["key"]: p for p in response.json()}
    assert len(providers) == 16
    assert providers["uber_eats"] == {
        "key": "uber_eats",
        "name": "Uber Eats",
        "aliases": ["UberEats", "Uber", "Uber Eat"],
    }
    assert "Skip" in providers["skipthedishes"]["aliases"]


async def test_me(client, token_for, user_ids):
    response = await client.get("/api/v1/me", headers=_auth(token_for(MARC)))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user_ids[MARC]
    assert body["organization"]["name"] == "Demo Kitchen Group"
    assert isinstance(body["organization"]["id"], int)
    assert {k: body[k] for k in ("name", "email", "language", "permissions")} == {
        "name": "Marc Manager",
        "email": MARC,
        "language": "fr",
        "permissions": {"manage_integrations": False, "cancel_orders": True},
    }


async def test_olivia_sees_the_whole_demo_status(client, token_for):
    before = datetime.now(timezone.utc)
    response = await client.get("/api/v1/integrations/status", headers=_auth(token_for(OLIVIA)))
    assert response.status_code == 200
    body = response.json()
    assert body["organization"] == "Demo Kitchen Group"
    assert body["filters"] == {"provider": None, "location": None}
    assert _broken(body) == OLIVIA_BROKEN
    assert _working(body) == OLIVIA_WORKING
    for entry in body["broken"]:
        since = datetime.fromisoformat(entry["since"].replace("Z", "+00:00"))
        assert since.utcoffset() == timedelta(0)
        assert before - timedelta(hours=2, minutes=5) < since <= before
        assert entry["problem"]
        step = entry["next_step"]
        assert step["allowed"] is True and step["check_allowed"] is True
        assert step["who_can"] == ["Olivia Owner"]
        assert step["steps"] and all(step["steps"])
    by_id = {entry["account_id"]: entry for entry in body["broken"]}
    assert "approve the sign-in" in by_id["gl-main"]["next_step"]["summary"]
    assert by_id["ue-main"]["next_step"]["contact"] is None
    assert by_id["ue-main"]["next_step"]["guide_last_verified"] is None
    deliveroo = by_id["dr-river"]["next_step"]
    assert deliveroo["guide_last_verified"] == "2026-10-15"
    assert deliveroo["steps"][0].startswith("Sign in to Deliveroo's restaurant portal")
    assert "Restaurant Hub" in deliveroo["contact"]
    assert "1-833-275-3287" in by_id["ue-river"]["next_step"]["contact"]


async def test_provider_alias_filter(client, token_for):
    params = {"provider": "UberEats"}
    response = await client.get(
        "/api/v1/integrations/status", params=params, headers=_auth(token_for(OLIVIA))
    )
    body = response.json()
    assert body["filters"] == {"provider": "Uber Eats", "location": None}
    assert [b["account_id"] for b in body["broken"]] == ["ue-main", "ue-river"]
    assert body["working"] == []


async def test_location_filter_is_case_insensitive(client, token_for):
    params = {"location": "downtown"}
    response = await client.get(
        "/api/v1/integrations/status", params=params, headers=_auth(token_for(OLIVIA))
    )
    body = response.json()
    assert body["filters"] == {"provider": None, "location": "Downtown"}
    assert [(b["account_id"], _stores(b)) for b in body["broken"]] == [
        ("dd-main", [("Downtown", "Burger Barn"), ("Downtown", "Taco Town")]),
        ("gl-main", [("Downtown", "Taco Town")]),
        ("ue-main", [("Downtown", "Burger Barn")]),
    ]
    assert [w["account_id"] for w in body["working"]] == ["je-main"]


async def test_both_filters(client, token_for):
    params = {"provider": "door dash", "location": "RIVERSIDE"}
    response = await client.get(
        "/api/v1/integrations/status", params=params, headers=_auth(token_for(OLIVIA))
    )
    body = response.json()
    assert body["filters"] == {"provider": "DoorDash", "location": "Riverside"}
    assert body["broken"] == []
    assert _working(body) == [OLIVIA_WORKING[0]]


async def test_unknown_provider_and_location(client, token_for):
    headers = _auth(token_for(OLIVIA))
    response = await client.get(
        "/api/v1/integrations/status", params={"provider": "Foodora"}, headers=headers
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail["code"], detail["value"]) == ("unknown_provider", "Foodora")
    assert len(detail["valid"]) == 16 and "Uber Eats" in detail["valid"]
    for name in ("Uptown", "Harbor"):  # Harbor is Harbor Pizza's: never confirmed to Olivia
        response = await client.get(
            "/api/v1/integrations/status", params={"location": name}, headers=headers
        )
        assert response.status_code == 422
        assert response.json() == {
            "detail": {
                "code": "unknown_location",
                "value": name,
                "valid": ["Airport", "Downtown", "Riverside"],  # never Harbor Pizza's
            }
        }


async def test_staff_may_see_but_not_reconnect(client, token_for):
    response = await client.get("/api/v1/integrations/status", headers=_auth(token_for(SOFIA)))
    body = response.json()
    assert _broken(body) == OLIVIA_BROKEN
    for entry in body["broken"]:
        step = entry["next_step"]
        assert step["who_can"] == ["Olivia Owner"]
        assert step["check_allowed"] is False
        assert step["allowed"] is (step["kind"] == "portal_steps")


async def test_other_organization_is_invisible(client, token_for):
    response = await client.get("/api/v1/integrations/status", headers=_auth(token_for(HANK)))
    body = response.json()
    assert body["organization"] == "Harbor Pizza"
    assert _broken(body) == [
        ("hp-ue", "Uber Eats", "Uber Eats — Harbor", "invalid_credentials", None,
         [("Harbor", "Harbor Pizza")], "reconnect"),
    ]  # fmt: skip
    assert body["working"] == []
    assert body["broken"][0]["next_step"]["who_can"] == ["Hank Harbor"]
    response = await client.get(
        "/api/v1/integrations/status",
        params={"location": "Downtown"},
        headers=_auth(token_for(HANK)),
    )
    assert response.json()["detail"] == {
        "code": "unknown_location",
        "value": "Downtown",
        "valid": ["Harbor"],
    }


async def test_french_and_spanish(client, token_for):
    catalog = get_catalog()
    headers = _auth(token_for(OLIVIA))
    for lang in ("fr", "es"):
        response = await client.get(
            "/api/v1/integrations/status", params={"lang": lang}, headers=headers
        )
        by_id = {b["account_id"]: b for b in response.json()["broken"]}
        credentials = catalog.error_types["invalid_credentials"]
        assert by_id["ue-main"]["problem"] == credentials.problem.get(lang, provider="Uber Eats")
        assert by_id["ue-main"]["next_step"]["summary"] == credentials.summary.get(
            lang, provider="Uber Eats"
        )
        guide = catalog.guide("deliveroo", "inactive_restaurant")
        assert by_id["dr-river"]["problem"] == guide.problem.get(lang)
        assert by_id["dr-river"]["next_step"]["steps"] == [s.get(lang) for s in guide.steps]
    fr = await client.get("/api/v1/integrations/status", params={"lang": "fr"}, headers=headers)
    assert (
        "n'accepte plus" in {b["account_id"]: b for b in fr.json()["broken"]}["ue-main"]["problem"]
    )
    es = await client.get("/api/v1/integrations/status", params={"lang": "es"}, headers=headers)
    assert "ya no acepta" in {b["account_id"]: b for b in es.json()["broken"]}["ue-main"]["problem"]


async def test_unsupported_language_falls_back_to_english(client, token_for):
    response = await client.get(
        "/api/v1/integrations/status", params={"lang": "de"}, headers=_auth(token_for(OLIVIA))
    )
    by_id = {b["account_id"]: b for b in response.json()["broken"]}
    assert by_id["ue-main"]["problem"].startswith("Uber Eats no longer accepts")
