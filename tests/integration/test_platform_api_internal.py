"""The internal endpoints the gateway calls with the internal token."""

from __future__ import annotations

from pydantic import SecretStr


async def test_user_by_id_and_email(client, user_ids, internal_headers):
    olivia_id = user_ids["olivia@demo-kitchen.test"]
    response = await client.get(f"/internal/users/{olivia_id}", headers=internal_headers)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": olivia_id,
        "name": "Olivia Owner",
        "email": "olivia@demo-kitchen.test",
        "language": "en",
        "organization": {"id": body["organization"]["id"], "name": "Demo Kitchen Group"},
    }
    response = await client.get(
        "/internal/users", params={"email": "  Olivia@Demo-Kitchen.TEST "}, headers=internal_headers
    )
    assert response.json() == body


async def test_unknown_users_are_404(client, internal_headers):
    response = await client.get("/internal/users/999999", headers=internal_headers)
    assert response.status_code == 404
    assert response.json() == {"detail": {"code": "not_found"}}
    response = await client.get(
        "/internal/users", params={"email": "nobody@example.test"}, headers=internal_headers
    )
    assert response.status_code == 404


async def test_demo_users(client, internal_headers):
    response = await client.get("/internal/demo-users", headers=internal_headers)
    assert response.status_code == 200
    users = response.json()
    assert [(u["name"], u["email"], u["language"], u["organization"]["name"]) for u in users] == [
        ("Marc Manager", "marc@demo-kitchen.test", "fr", "Demo Kitchen Group"),
        ("Olivia Owner", "olivia@demo-kitchen.test", "en", "Demo Kitchen Group"),
        ("Sofia Staff", "sofia@demo-kitchen.test", "es", "Demo Kitchen Group"),
        ("Hank Harbor", "hank@harbor-pizza.test", "en", "Harbor Pizza"),
    ]


async def test_demo_users_hidden_outside_demo_mode(client_with, internal_headers):
    async with client_with(demo_mode=False) as client:
        response = await client.get("/internal/demo-users", headers=internal_headers)
    assert response.status_code == 404


async def test_internal_token_is_required(client, user_ids, token_for):
    path = f"/internal/users/{user_ids['olivia@demo-kitchen.test']}"
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {token_for('olivia@demo-kitchen.test')}"},
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": {"code": "unauthorized"}}


async def test_no_internal_token_configured_refuses(client_with, internal_headers):
    async with client_with(internal_token=SecretStr("")) as client:
        response = await client.get("/internal/demo-users", headers={"Authorization": "Bearer "})
        assert response.status_code == 401
        response = await client.get("/internal/demo-users", headers=internal_headers)
        assert response.status_code == 401
