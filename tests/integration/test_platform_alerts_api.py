"""The live-alert internal endpoints and ``make break`` against a real platform app.

``POST /internal/sandbox/break`` refuses bad input with a clear code and changes nothing;
``GET /internal/alerts/outbox`` lists the rows; ``GET /internal/pos/tickets`` gives each
ticket once. The CLI talks to a platform served on a free localhost port.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
from sqlalchemy import func, select

from bot.platform import break_cli
from bot.platform.api import create_app
from bot.platform.models import AlertOutbox, Incident, Location, Organization, PosTicket, StoreLink
from tests.integration.conftest import make_settings
from tests.integration.test_gateway_webchat import serve

JUST_EAT = {"provider": "Just Eat", "location": "Downtown", "error_type": "invalid_credentials"}


def _states(session) -> list[tuple[str, str, str | None]]:
    rows = session.scalars(select(StoreLink).order_by(StoreLink.id))
    return [(link.account_id, link.state, link.error_type) for link in rows]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**JUST_EAT, "provider": "Nope Eats"}, 404, "unknown_provider"),
        ({**JUST_EAT, "location": "Mars"}, 404, "unknown_location"),
        ({**JUST_EAT, "brand": "Pizza Planet"}, 404, "unknown_brand"),
        ({**JUST_EAT, "provider": "Grubhub"}, 404, "no_link"),
        ({**JUST_EAT, "provider": "UberEats"}, 409, "not_working"),
        ({**JUST_EAT, "error_type": "bogus"}, 422, "unknown_error_type"),
        (
            {**JUST_EAT, "error_case": "inactive_restaurant"},
            422,
            "error_case_needs_store_configuration",
        ),
    ],
)
async def test_break_refuses_bad_input_and_changes_nothing(
    client, internal_headers, read_db, body, status, code
):
    before = read_db(_states)
    response = await client.post("/internal/sandbox/break", json=body, headers=internal_headers)
    assert response.status_code == status
    assert response.json()["detail"]["code"] == code
    assert read_db(_states) == before
    assert read_db(lambda s: s.scalar(select(func.count()).select_from(Incident))) == 0


async def test_break_needs_the_token_and_the_sandbox_controls(
    client, client_with, internal_headers
):
    assert (await client.post("/internal/sandbox/break", json=JUST_EAT)).status_code == 401
    async with client_with(sandbox_controls=False) as closed:
        response = await closed.post(
            "/internal/sandbox/break", json=JUST_EAT, headers=internal_headers
        )
    assert (response.status_code, response.json()["detail"]["code"]) == (404, "not_found")


async def test_break_queues_the_alerts_once(client, internal_headers):
    response = await client.post(
        "/internal/sandbox/break",
        json={**JUST_EAT, "brand": "burger barn"},
        headers=internal_headers,
    )
    assert response.status_code == 200
    [incident] = response.json()["incidents"]
    assert (incident["provider"], incident["location"], incident["brand"]) == (
        "just_eat",
        "Downtown",
        "Burger Barn",
    )
    again = await client.post("/internal/sandbox/break", json=JUST_EAT, headers=internal_headers)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "not_working")
    rows = (await client.get("/internal/alerts/outbox", headers=internal_headers)).json()
    assert sorted((row["channel"], row["address"], row["language"]) for row in rows) == [
        ("email", "marc@demo-kitchen.test", "fr"),
        ("email", "olivia@demo-kitchen.test", "en"),
        ("pos", "Downtown", "en"),
        ("sms", "+15550000001", "en"),
    ]
    assert all(row["incident_ids"] == [incident["id"]] for row in rows)
    pending = await client.get("/internal/alerts/outbox?state=pending", headers=internal_headers)
    assert len(pending.json()) == 4
    sent = await client.get("/internal/alerts/outbox?state=sent", headers=internal_headers)
    assert sent.json() == []
    bad = await client.get("/internal/alerts/outbox?state=bogus", headers=internal_headers)
    assert (bad.status_code, bad.json()["detail"]["code"]) == (422, "unknown_state")


async def test_pos_tickets_are_fetched_once(client, internal_headers, read_db):
    response = await client.post("/internal/sandbox/break", json=JUST_EAT, headers=internal_headers)
    incident_id = response.json()["incidents"][0]["id"]

    def save_ticket(session) -> dict[str, int]:
        """What the notify POS sender saves for the device (built by bot/notify)."""
        downtown = session.scalars(select(Location).where(Location.name == "Downtown")).one()
        session.add(PosTicket(location_id=downtown.id, incident_id=incident_id, body="TICKET"))
        session.commit()
        return dict(session.execute(select(Organization.name, Organization.id)).all())

    orgs = read_db(save_ticket)
    demo, harbor = orgs["Demo Kitchen Group"], orgs["Harbor Pizza"]
    url = "/internal/pos/tickets"
    first = await client.get(
        url, params={"location": "downtown", "organization_id": demo}, headers=internal_headers
    )
    assert [(t["incident_id"], t["body"]) for t in first.json()] == [(incident_id, "TICKET")]
    second = await client.get(
        url, params={"location": "Downtown", "organization_id": demo}, headers=internal_headers
    )
    assert second.json() == []
    other = await client.get(
        url, params={"location": "Downtown", "organization_id": harbor}, headers=internal_headers
    )
    assert (other.status_code, other.json()["detail"]["code"]) == (404, "unknown_location")
    assert (
        await client.get(url, params={"location": "Downtown", "organization_id": demo})
    ).status_code == 401


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def test_make_break_calls_the_running_platform(demo_db_url, read_db, capsys):
    app = create_app(make_settings(demo_db_url))
    async with serve(app) as url:
        settings = make_settings(demo_db_url, platform_url=url)
        argv = ["--provider", "JustEat", "--location", "Downtown", "--error", "2fa"]
        assert await asyncio.to_thread(break_cli.main, argv, settings) == 0
        assert "Downtown / Burger Barn: Just Eat is now disconnected" in capsys.readouterr().out
        assert await asyncio.to_thread(break_cli.main, argv, settings) == 2
        assert "already disconnected" in capsys.readouterr().err
        bad = ["--provider", "Just Eat", "--location", "Mars", "--error", "credentials"]
        assert await asyncio.to_thread(break_cli.main, bad, settings) == 2
        assert "No location is called 'Mars'" in capsys.readouterr().err
    assert read_db(lambda s: s.scalar(select(func.count()).select_from(AlertOutbox))) == 4
    assert read_db(lambda s: s.scalars(select(Incident.error_type)).all()) == [
        "two_factor_required"
    ]


def test_make_break_says_when_the_platform_is_not_running(demo_db_url, capsys):
    settings = make_settings(demo_db_url, platform_url=f"http://127.0.0.1:{_closed_port()}")
    argv = ["--provider", "Just Eat", "--location", "Downtown", "--error", "invalid_credentials"]
    assert break_cli.main(argv, settings) == 1
    assert "not running" in capsys.readouterr().err
    assert break_cli.main(["--provider", "Just Eat"], settings) == 2
    assert "make break PROVIDER=" in capsys.readouterr().err
