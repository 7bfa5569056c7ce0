"""The gateway's HTTP side: health, the demo dashboard, demo session tokens, static files.

The platform's internal API is a stand-in behind an httpx mock transport; the app runs
with its real lifespan through httpx's ASGI transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.config import Settings
from bot.gateway.app import create_app
from bot.identity import verify_session

SESSION_SECRET = "dashboard-session-secret-0123456789abcdef"
INTERNAL_TOKEN = "dashboard-internal-token"
DEMO_USERS = [
    {
        "id": 1,
        "name": "Olivia Owner",
        "email": "olivia@demo-kitchen.test",
        "language": "en",
        "organization": {"id": 1, "name": "Demo Kitchen Group"},
    },
    {
        "id": 2,
        "name": "Marc Manager",
        "email": "marc@demo-kitchen.test",
        "language": "fr",
        "organization": {"id": 1, "name": "Demo Kitchen Group"},
    },
    {
        "id": 9,
        "name": "Hank <Harbor>",
        "email": "hank@harbor-pizza.test",
        "language": "en",
        "organization": {"id": 2, "name": "Harbor Pizza"},
    },
]


def platform(request: httpx.Request) -> httpx.Response:
    assert request.headers["authorization"] == f"Bearer {INTERNAL_TOKEN}"
    if request.url.path == "/internal/demo-users":
        return httpx.Response(200, json=DEMO_USERS)
    return httpx.Response(404)


def platform_down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused")


@asynccontextmanager
async def gateway(demo_mode: bool = True, handler=platform) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        _env_file=None,
        session_secret=SESSION_SECRET,
        identity_secret="dashboard-identity-secret-0123456789abcdef",
        internal_token=INTERNAL_TOKEN,
        demo_mode=demo_mode,
    )
    app = create_app(settings, platform_transport=httpx.MockTransport(handler))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
            yield c


async def test_healthz():
    async with gateway() as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_demo_dashboard_lists_demo_users_with_org_and_language():
    async with gateway() as client:
        response = await client.get("/")
    page = response.text
    assert response.status_code == 200
    assert "<title>merchant-assistant — demo dashboard</title>" in page
    assert "<h1>merchant-assistant — demo dashboard</h1>" in page
    for expected in ("Olivia Owner", "Marc Manager", "Demo Kitchen Group", "Harbor Pizza"):
        assert expected in page
    assert "Français" in page and "English" in page
    assert "Hank &lt;Harbor&gt;" in page and "Hank <Harbor>" not in page  # escaped
    assert 'data-user-id="2"' in page
    assert 'aria-live="polite"' in page and '<label for="message-input">' in page
    assert "http://" not in page and "https://" not in page  # no CDN: everything is local
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_dashboard_says_when_the_platform_is_down():
    async with gateway(handler=platform_down) as client:
        response = await client.get("/")
        assert response.status_code == 200 and "make run" in response.text
        assert (await client.post("/demo/session", json={"user_id": 1})).status_code == 503


async def test_demo_session_mints_a_token_for_a_demo_user_only():
    async with gateway() as client:
        response = await client.post("/demo/session", json={"user_id": 2})
        assert response.status_code == 200
        assert verify_session(response.json()["token"], SESSION_SECRET) == 2
        assert (await client.post("/demo/session", json={"user_id": 77})).status_code == 404
        assert (await client.post("/demo/session", json={"user_id": "x"})).status_code == 422


async def test_without_demo_mode_there_is_no_dashboard_and_no_demo_session():
    async with gateway(demo_mode=False) as client:
        page = (await client.get("/")).text
        assert "sign in" in page.lower() and "Olivia" not in page
        assert (await client.post("/demo/session", json={"user_id": 1})).status_code == 404


async def test_widget_script_is_served_from_static():
    async with gateway() as client:
        script = await client.get("/static/chat.js")
        assert script.status_code == 200
        assert "user_uttered" in script.text and "innerHTML" not in script.text.split("*/", 1)[1]
        assert (await client.get("/static/chat.css")).status_code == 200
