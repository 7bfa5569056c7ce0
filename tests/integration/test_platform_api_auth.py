"""Who may call the platform API: identity tokens and the internal token."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.identity import Identity, sign_identity, sign_session

OLIVIA = "olivia@demo-kitchen.test"
UNAUTHORIZED = {"detail": {"code": "unauthorized"}}


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/integrations/status"])
async def test_no_token(client, path):
    response = await client.get(path)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_bad_tokens(client, token_for, user_ids, identity_secret, internal_headers):
    bad = {
        "forged": token_for(OLIVIA, secret="not-the-identity-secret-0123456789abcdef"),
        "expired": token_for(OLIVIA, ttl=-5),
        "session token (other audience)": sign_session(user_ids[OLIVIA], identity_secret, 300),
        "garbage": "not-a-jwt",
        "internal token": internal_headers["Authorization"].removeprefix("Bearer "),
    }
    for name, token in bad.items():
        response = await client.get(
            "/api/v1/integrations/status", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, name
        assert response.json() == UNAUTHORIZED, name


async def test_wrong_scheme(client, token_for):
    response = await client.get(
        "/api/v1/me", headers={"Authorization": f"Basic {token_for(OLIVIA)}"}
    )
    assert response.status_code == 401


async def test_token_for_a_user_that_does_not_exist(client, identity_secret):
    token = sign_identity(Identity(999_999, "c", "web"), identity_secret, 300)
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_empty_identity_secret_refuses_everything(client_with, token_for):
    async with client_with(identity_secret=SecretStr("")) as client:
        response = await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token_for(OLIVIA)}"}
        )
    assert response.status_code == 401
