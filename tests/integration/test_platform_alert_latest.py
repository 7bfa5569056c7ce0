"""``GET /api/v1/alerts/latest``: what the most recent alert a user received was about.

Links break through ``link_health`` and the real dispatcher sends the alerts to the local
Twilio and SMTP stand-ins (the helpers of ``test_notify_dispatcher``), at times around
now: only alerts sent within 7 days count. Olivia gets SMS + e-mail, Marc e-mail, Sofia
nothing; Hank (Harbor Pizza) never sees Demo Kitchen Group's incidents.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.platform.models import Incident, StoreLink, utcnow
from bot.platform.services.link_health import mark_connected
from tests.integration import test_notify_dispatcher as notify
from tests.integration import test_platform_alert_settings as settings_tests
from tests.integration.test_notify_dispatcher import break_link, dispatcher

# Fixtures shared with those modules (the stand-ins, the dispatcher's and the actions'
# client's settings): re-exported so pytest finds them here; ``sessions`` is conftest's.
servers, alert_settings = notify.servers, notify.alert_settings
platform = settings_tests.platform

URL = "/api/v1/alerts/latest"
OLIVIA, MARC = "olivia@demo-kitchen.test", "marc@demo-kitchen.test"
SOFIA, HANK = "sofia@demo-kitchen.test", "hank@harbor-pizza.test"
JUST_EAT = ("je-main", "Downtown", "Burger Barn")
GRUBHUB = ("gh-main", "Airport", "Burger Barn")
HARBOR = ("hp-ue", "Harbor", "Harbor Pizza")


@pytest.fixture
def now() -> datetime:
    """The current time, to whole seconds (alerts are looked up within 7 days of it)."""
    return utcnow().replace(microsecond=0)


async def alert(sessions, settings, place, at: datetime) -> int:
    """Break ``place`` at ``at``, let a dispatcher send its alerts 10 minutes later, and
    return the incident's id."""
    break_link(sessions, settings, place, at)
    await dispatcher(sessions, settings).run_once(at + timedelta(minutes=10))
    with sessions() as session:
        return session.scalars(select(Incident.id).order_by(Incident.id.desc())).first()


def reconnect(sessions, place, at: datetime) -> None:
    """The store link of ``place`` works again at ``at``."""
    account_id, location, brand = place
    with sessions() as session:
        for link in session.scalars(select(StoreLink).where(StoreLink.account_id == account_id)):
            if (link.store.location.name, link.store.brand.name) == (location, brand):
                mark_connected(session, link, at)
        session.commit()


async def latest(client, headers, channel: str | None = None) -> tuple[int, dict]:
    params = {"channel": channel} if channel else {}
    response = await client.get(URL, params=params, headers=headers)
    return response.status_code, response.json()


def _what(answer: dict) -> tuple:
    return (answer["provider"], answer["account_id"], answer["location"], answer["brand"])


async def test_the_latest_sms_names_what_broke(
    client, auth_for, sessions, alert_settings, servers, now
):
    twilio, _smtp = servers
    opened = now - timedelta(minutes=30)
    incident_id = await alert(sessions, alert_settings, JUST_EAT, opened)
    [sms] = twilio.messages()
    assert sms["to"] == "+15550000001" and "Just Eat" in sms["body"]

    status, answer = await latest(client, auth_for(OLIVIA, channel="sms"), "sms")
    assert status == 200, answer
    assert answer == {
        "incident_id": incident_id,
        "state": "open",
        "provider": "Just Eat",
        "account_id": "je-main",
        "account_label": "Just Eat — main",
        "location": "Downtown",
        "brand": "Burger Barn",
        "error_type": "invalid_credentials",
        "error_case": None,
        "opened_at": answer["opened_at"],
        "channel": "sms",
    }
    assert datetime.fromisoformat(answer["opened_at"].replace("Z", "+00:00")) == opened

    status, marcs = await latest(client, auth_for(MARC), "sms")  # Marc gets e-mail only
    assert (status, _what(marcs), marcs["channel"]) == (200, _what(answer), "email")
    for email in (SOFIA, HANK):  # Sofia gets no alerts; Hank is another organization
        assert await latest(client, auth_for(email)) == (404, {"detail": {"code": "no_alert"}})

    reconnect(sessions, JUST_EAT, now)
    status, resolved = await latest(client, auth_for(OLIVIA), "sms")
    assert (status, resolved["incident_id"], resolved["state"]) == (200, incident_id, "resolved")
    assert (await client.get(URL)).status_code == 401
    assert (
        await client.get(URL, params={"channel": "pos"}, headers=auth_for(OLIVIA))
    ).status_code == 422


async def test_the_asked_channel_comes_first_then_the_newest(
    client, auth_for, sessions, alert_settings, now
):
    await alert(sessions, alert_settings, JUST_EAT, now - timedelta(hours=3))
    off = await client.patch(
        "/api/v1/alerts/settings", json={"sms": False}, headers=auth_for(OLIVIA)
    )
    assert off.json()["changed"] == ["sms"]
    await alert(sessions, alert_settings, GRUBHUB, now - timedelta(hours=1))  # e-mail only now

    headers = auth_for(OLIVIA)
    by_sms = (await latest(client, headers, "sms"))[1]
    assert (by_sms["provider"], by_sms["account_id"], by_sms["channel"]) == (
        "Just Eat",
        "je-main",
        "sms",
    )
    for channel in ("email", None):
        answer = (await latest(client, headers, channel))[1]
        assert (answer["provider"], answer["location"], answer["channel"]) == (
            "Grubhub",
            "Airport",
            "email",
        ), channel


async def test_hank_sees_only_harbor_pizzas_alerts(client, auth_for, sessions, alert_settings, now):
    await alert(sessions, alert_settings, JUST_EAT, now - timedelta(hours=2))
    assert (await latest(client, auth_for(HANK), "sms"))[0] == 404

    reconnect(sessions, HARBOR, now - timedelta(hours=1, minutes=30))  # demo: disconnected
    harbor_id = await alert(sessions, alert_settings, HARBOR, now - timedelta(hours=1))
    status, hanks = await latest(client, auth_for(HANK), "sms")
    assert (status, hanks["incident_id"]) == (200, harbor_id)
    assert _what(hanks) == ("Uber Eats", "hp-ue", "Harbor", "Harbor Pizza")
    assert _what((await latest(client, auth_for(OLIVIA), "sms"))[1])[1] == "je-main"


async def test_old_and_never_sent_alerts_do_not_count(
    client, auth_for, sessions, alert_settings, now
):
    await alert(sessions, alert_settings, JUST_EAT, now - timedelta(days=8))
    assert (await latest(client, auth_for(OLIVIA)))[0] == 404

    flap = now - timedelta(minutes=30)
    break_link(sessions, alert_settings, GRUBHUB, flap)
    reconnect(sessions, GRUBHUB, flap + timedelta(seconds=30))  # before the damping ends
    await dispatcher(sessions, alert_settings).run_once(now)
    assert (await latest(client, auth_for(OLIVIA)))[0] == 404


async def test_the_actions_client(platform, token_for, sessions, alert_settings, now):
    assert await platform.latest_alert(token_for(OLIVIA), "sms") is None
    await alert(sessions, alert_settings, JUST_EAT, now - timedelta(minutes=30))
    found = await platform.latest_alert(token_for(OLIVIA), "sms")
    assert found is not None and _what(found) == ("Just Eat", "je-main", "Downtown", "Burger Barn")
    assert (await platform.latest_alert(token_for(MARC)))["channel"] == "email"
    assert await platform.latest_alert(token_for(SOFIA)) is None
