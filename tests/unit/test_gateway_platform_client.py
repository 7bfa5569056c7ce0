"""InternalPlatformClient: the gateway's calls to the platform's internal endpoints."""

from __future__ import annotations

import httpx
import pytest

from bot.internal_client import InternalPlatformClient
from bot.platform_client import (
    PlatformError,
    PlatformUnauthorized,
    PlatformUnavailable,
)

OLIVIA = {
    "id": 1,
    "name": "Olivia Owner",
    "email": "olivia@demo-kitchen.test",
    "language": "en",
    "organization": {"id": 1, "name": "Demo Kitchen Group"},
}


def platform(request: httpx.Request) -> httpx.Response:
    if request.headers.get("authorization") != "Bearer internal-secret":
        return httpx.Response(401, json={"detail": {"code": "unauthorized"}})
    path, params = request.url.path, request.url.params
    if path == "/internal/users/1":
        return httpx.Response(200, json=OLIVIA)
    if path == "/internal/users" and params.get("email") == OLIVIA["email"]:
        return httpx.Response(200, json=OLIVIA)
    if path == "/internal/users" and params.get("email") == "list@demo.test":
        return httpx.Response(200, json=[OLIVIA])
    if path == "/internal/users" and params.get("email") == "empty@demo.test":
        return httpx.Response(200, json=[])
    if path == "/internal/demo-users":
        return httpx.Response(200, json=[OLIVIA])
    if path == "/internal/users/500":
        return httpx.Response(500, json={"detail": "boom"})
    return httpx.Response(404, json={"detail": "not found"})


def client(token: str = "internal-secret", handler=platform) -> InternalPlatformClient:
    return InternalPlatformClient(
        "http://platform.test", token, transport=httpx.MockTransport(handler)
    )


async def test_user_lookups():
    internal = client()
    assert await internal.user(1) == OLIVIA
    assert await internal.user(2) is None
    assert await internal.user_by_email(OLIVIA["email"]) == OLIVIA
    assert await internal.user_by_email("list@demo.test") == OLIVIA
    assert await internal.user_by_email("empty@demo.test") is None
    assert await internal.user_by_email("nobody@demo.test") is None
    assert await internal.demo_users() == [OLIVIA]
    await internal.aclose()


async def test_errors_are_typed():
    with pytest.raises(PlatformUnauthorized):
        await client(token="wrong").user(1)
    with pytest.raises(PlatformError) as error:
        await client().user(500)
    assert error.value.status == 500

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(PlatformUnavailable):
        await client(handler=down).demo_users()
