"""The pairing page (HTML, headers, languages, the gone page) and the gateway notification.

SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from tests.integration.conftest import INTERNAL_TOKEN

OLIVIA = "olivia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
UE = {"email": "ubereats@demo-kitchen.test", "password": "demo-password"}
DD = {"email": "doordash@demo-kitchen.test", "password": "demo-password"}


def _path(url: str) -> str:
    return urlsplit(url).path


def _step(html: str) -> str:
    return html.split('name="step" value="', 1)[1].split('"', 1)[0]


async def _start(client, headers, account_id: str, lang: str = "en") -> dict:
    response = await client.post(
        "/api/v1/repair/pairings", json={"account_id": account_id, "lang": lang}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def _assert_page_headers(response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["content-type"].startswith("text/html")


async def test_every_page_has_the_security_headers_and_no_outside_resources(
    repair_client, auth_for
):
    started = await _start(repair_client, auth_for(OLIVIA), "dd-main")
    pages = [await repair_client.get(_path(started["url"]))]
    pages.append(await repair_client.post(_path(started["url"]), data=DD))
    step = _step(pages[-1].text)
    pages.append(
        await repair_client.post(_path(started["url"]) + "/code", data={"step": step, "code": "1"})
    )
    pages.append(await repair_client.get("/pair/unknown-token"))
    for page in pages:
        _assert_page_headers(page)
        html = page.text.lower()
        assert "<script" not in html and "<link" not in html and " src=" not in html
        assert "http://" not in html and "https://" not in html
    assert [page.status_code for page in pages] == [200, 200, 200, 410]


async def test_credentials_form_elements(repair_client, auth_for):
    started = await _start(repair_client, auth_for(OLIVIA), "ue-main")
    html = (await repair_client.get(_path(started["url"]))).text
    assert '<html lang="en">' in html
    assert '<form id="credentials" method="post"' in html
    assert 'name="email" type="email"' in html
    assert 'name="password" type="password"' in html
    assert '<button type="submit">Connect</button>' in html
    assert '<label for="email">Uber Eats e-mail</label>' in html
    assert "Uber Eats — main" in html
    token = _path(started["url"]).rsplit("/", 1)[1]
    assert f'action="{token}"' in html  # relative: /pair/<token>


@pytest.mark.parametrize(
    ("lang", "title", "submit", "gone"),
    [
        ("fr", "Reconnecter DoorDash", "Connecter", "Ce lien a expiré ou a déjà été utilisé"),
        ("es", "Reconectar DoorDash", "Conectar", "Este enlace ha caducado o ya se ha usado"),
    ],
)
async def test_the_page_speaks_the_pairings_language(
    repair_client, auth_for, lang, title, submit, gone
):
    started = await _start(repair_client, auth_for(OLIVIA), "dd-main", lang)
    html = (await repair_client.get(_path(started["url"]))).text
    assert f'<html lang="{lang}">' in html
    assert title in html and f">{submit}</button>" in html
    code_form = await repair_client.post(_path(started["url"]), data=DD)
    assert f'<html lang="{lang}">' in code_form.text
    used = await repair_client.get(_path(started["url"]))
    assert used.status_code == 410 and gone in used.text


async def test_unknown_token_page(repair_client):
    for path in ("/pair/nope", "/pair/" + "x" * 300):
        response = await repair_client.get(path)
        assert response.status_code == 410
        assert 'id="result" data-outcome="gone"' in response.text
        assert "This link has expired or was already used" in response.text
    french = await repair_client.get("/pair/nope", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert "Ce lien a expiré" in french.text
    post = await repair_client.post("/pair/nope", data=UE)
    assert post.status_code == 410
    code = await repair_client.post("/pair/nope/code", data={"step": "x", "code": "246810"})
    assert code.status_code == 410


async def test_code_step_needs_the_pages_nonce(repair_client, auth_for):
    started = await _start(repair_client, auth_for(OLIVIA), "dd-main")
    await repair_client.post(_path(started["url"]), data=DD)
    for data in ({"code": "246810"}, {"step": "forged", "code": "246810"}):
        response = await repair_client.post(_path(started["url"]) + "/code", data=data)
        assert response.status_code == 410
    current = (
        await repair_client.get("/api/v1/repair/pairings/current", headers=auth_for(OLIVIA))
    ).json()
    assert (current["state"], current["attempts_left"]) == ("awaiting_code", 5)


async def test_non_form_bodies_are_refused(repair_client, auth_for):
    started = await _start(repair_client, auth_for(OLIVIA), "ue-main")
    response = await repair_client.post(_path(started["url"]), json=UE)
    assert response.status_code == 410
    huge = await repair_client.post(
        _path(started["url"]), data={"email": "a@b.test", "password": "p" * 10_000}
    )
    assert huge.status_code == 410
    assert (await repair_client.get(_path(started["url"]))).status_code == 200


async def test_the_gateway_is_notified_after_each_page_step(
    repair_client, auth_for, user_ids, gateway
):
    started = await _start(repair_client, auth_for(OLIVIA, "conv-42", "telegram"), "dd-main")
    assert gateway.requests == []
    form = await repair_client.post(_path(started["url"]), data=DD)
    await repair_client.post(
        _path(started["url"]) + "/code", data={"step": _step(form.text), "code": "246810"}
    )
    assert [str(request.url) for request in gateway.requests] == [
        "http://127.0.0.1:8080/internal/conversations/continue"
    ] * 2
    for request in gateway.requests:
        assert request.method == "POST"
        assert request.headers["authorization"] == f"Bearer {INTERNAL_TOKEN}"
    assert gateway.bodies() == [
        {
            "conversation_id": "conv-42",
            "user_id": user_ids[OLIVIA],
            "channel": "telegram",
            "intent": "repair_pairing_update",
            "entities": {"pairing_event": event},
        }
        for event in ("credentials_submitted", "code_submitted")
    ]
    # Nothing is sent for a gone link.
    await repair_client.post(_path(started["url"]), data=DD)
    assert len(gateway.requests) == 2


async def test_no_notification_without_a_conversation(repair_client, auth_for, gateway):
    started = await _start(repair_client, auth_for(OLIVIA, ""), "ue-main")
    page = await repair_client.post(_path(started["url"]), data=UE)
    assert 'data-outcome="succeeded"' in page.text
    assert gateway.requests == []


async def test_a_failing_gateway_is_retried_then_logged(repair_client, auth_for, gateway, caplog):
    gateway.status_code = 503
    caplog.set_level(logging.WARNING, logger="bot.platform.gateway_notifier")
    started = await _start(repair_client, auth_for(OLIVIA, "conv-down"), "ue-main")
    page = await repair_client.post(_path(started["url"]), data=UE)
    assert 'data-outcome="succeeded"' in page.text  # the page does not wait for the gateway
    assert len(gateway.requests) == 3
    messages = [record.getMessage() for record in caplog.records]
    assert any("conv-down" in message and "HTTP 503" in message for message in messages)
    assert not any("demo-password" in message or INTERNAL_TOKEN in message for message in messages)
    current = (
        await repair_client.get(
            "/api/v1/repair/pairings/current", headers=auth_for(OLIVIA, "conv-down")
        )
    ).json()
    assert current["outcome"] == "succeeded"  # the state stays in the platform


async def test_notification_over_http_to_a_local_gateway(
    client_with, auth_for, user_ids, unused_tcp_port
):
    """A real HTTP stand-in for the gateway on 127.0.0.1 (no transport override)."""
    received: list[tuple[str, dict]] = []
    arrived = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        received.append((request.headers.get("Authorization", ""), await request.json()))
        arrived.set()
        return web.json_response({"status": "accepted"}, status=202)

    app = web.Application()
    app.router.add_post("/internal/conversations/continue", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    try:
        gateway_url = f"http://127.0.0.1:{unused_tcp_port}"
        async with client_with(gateway_url=gateway_url) as client:
            started = await _start(client, auth_for(OLIVIA, "conv-http"), "ue-main")
            await client.post(_path(started["url"]), data=UE)
            await asyncio.wait_for(arrived.wait(), 5)
    finally:
        await runner.cleanup()
    assert received == [
        (
            f"Bearer {INTERNAL_TOKEN}",
            {
                "conversation_id": "conv-http",
                "user_id": user_ids[OLIVIA],
                "channel": "web",
                "intent": "repair_pairing_update",
                "entities": {"pairing_event": "credentials_submitted"},
            },
        )
    ]


async def test_openapi_documents_the_repair_endpoints(repair_client):
    spec = (await repair_client.get("/openapi.json")).json()
    for path, method in (
        ("/api/v1/repair/pairings", "post"),
        ("/api/v1/repair/pairings/current", "get"),
        ("/api/v1/repair/pairings/{pairing_id}", "get"),
        ("/api/v1/repair/accounts/{account_id}/check", "post"),
        ("/api/v1/repair/accounts/{account_id}/defer", "post"),
        ("/api/v1/repair/accounts/{account_id}/requests", "post"),
        ("/internal/repair/codes", "post"),
        ("/internal/sandbox/accounts/{account_id}", "put"),
        ("/internal/sandbox/accounts/{account_id}", "delete"),
    ):
        assert method in spec["paths"][path], path
    assert not any(path.startswith("/pair/") for path in spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"url", "pairing_id", "attempts_left", "broken"} <= set(
        schemas["StartedPairingOut"]["properties"]
    )
    assert "requested_by" in schemas["BrokenOut"]["properties"]
