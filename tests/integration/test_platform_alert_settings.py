"""``GET`` / ``PATCH /api/v1/alerts/settings`` against a real platform app on the demo data.

Each user manages their own alerts: Olivia gets SMS + e-mail, Marc e-mail, Sofia nothing,
Hank (Harbor Pizza) SMS. A change is saved, audited and decides what the next break
queues; a refusal (no verified phone, a number that texted STOP, an unconfirmed SMS
message, a body naming anything but ``sms`` / ``email``) changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update

from bot.identity import Identity, sign_identity
from bot.platform.api import create_app
from bot.platform.models import User
from bot.platform_client import PlatformClient, PlatformError
from tests.integration.conftest import IDENTITY_SECRET
from tests.integration.records import audit_entries

OLIVIA, MARC = "olivia@demo-kitchen.test", "marc@demo-kitchen.test"
SOFIA, HANK = "sofia@demo-kitchen.test", "hank@harbor-pizza.test"
URL = "/api/v1/alerts/settings"
JUST_EAT = {"provider": "Just Eat", "location": "Downtown", "error_type": "invalid_credentials"}
NO_QUIET = {"quiet_start": None, "quiet_end": None}


def _settings(sms: bool, email: bool, *, stopped: bool = False, verified: bool = True) -> dict:
    return {
        "sms": sms,
        "email": email,
        "phone_verified": verified,
        "sms_stopped": stopped,
        **NO_QUIET,
    }


def _choices(session) -> dict[str, tuple[bool, bool]]:
    """e-mail → (alert_sms, alert_email) of every user."""
    return {u.email: (u.alert_sms, u.alert_email) for u in session.scalars(select(User))}


def _sms_headers(user_ids, email: str, *, confirmed: bool) -> dict[str, str]:
    identity = Identity(user_ids[email], "sms-conv", "sms", confirmed=confirmed)
    return {"Authorization": f"Bearer {sign_identity(identity, IDENTITY_SECRET, 300)}"}


async def _queued(client, internal_headers) -> list[tuple[str, str]]:
    """(channel, address) of the outbox rows a Just Eat break at Downtown queues."""
    response = await client.post("/internal/sandbox/break", json=JUST_EAT, headers=internal_headers)
    assert response.status_code == 200, response.text
    rows = (await client.get("/internal/alerts/outbox", headers=internal_headers)).json()
    return sorted((row["channel"], row["address"]) for row in rows)


async def test_each_user_sees_their_own_settings(client, auth_for):
    expected = {
        OLIVIA: _settings(True, True),
        MARC: _settings(False, True),
        SOFIA: _settings(False, False),
        HANK: _settings(True, False),
    }
    for email, settings in expected.items():
        response = await client.get(URL, headers=auth_for(email))
        assert (response.status_code, response.json()) == (200, settings), email
    assert (await client.get(URL)).status_code == 401
    assert (await client.patch(URL, json={"email": False})).status_code == 401


async def test_olivia_turns_email_off(client, auth_for, read_db, internal_headers):
    before = read_db(_choices)
    response = await client.patch(URL, json={"email": False}, headers=auth_for(OLIVIA))
    assert response.status_code == 200, response.text
    assert response.json() == {**_settings(True, False), "changed": ["email"]}
    assert read_db(_choices) == {**before, OLIVIA: (True, False)}  # nobody else's changed
    entries = audit_entries(read_db, "alert_settings")
    assert entries == [("alert_settings", {"changed": {"email": False}, "channel": "web"})]

    again = await client.patch(URL, json={"email": False, "sms": True}, headers=auth_for(OLIVIA))
    assert again.json() == {**_settings(True, False), "changed": []}
    assert len(audit_entries(read_db, "alert_settings")) == 1  # nothing changed: no entry

    assert await _queued(client, internal_headers) == [
        ("email", "marc@demo-kitchen.test"),
        ("pos", "Downtown"),
        ("sms", "+15550000001"),
    ]


async def test_sofia_turns_sms_on_and_gets_the_next_alert_by_sms(
    client, auth_for, read_db, internal_headers
):
    response = await client.patch(URL, json={"sms": True}, headers=auth_for(SOFIA))
    assert response.status_code == 200, response.text
    assert response.json() == {**_settings(True, False), "changed": ["sms"]}
    assert read_db(_choices)[SOFIA] == (True, False)
    assert audit_entries(read_db, "alert_settings") == [
        ("alert_settings", {"changed": {"sms": True}, "channel": "web"})
    ]
    assert ("sms", "+15550000003") in await _queued(client, internal_headers)


async def test_sms_on_after_stop_is_refused_until_start(
    client, auth_for, read_db, internal_headers
):
    async def opt_out(opted_out: bool) -> None:
        body = {"phone": "+15550000003", "opted_out": opted_out}
        answer = await client.post("/internal/sms/opt-outs", json=body, headers=internal_headers)
        assert answer.status_code == 200, answer.text

    await opt_out(True)
    shown = await client.get(URL, headers=auth_for(SOFIA))
    assert shown.json() == _settings(False, False, stopped=True)
    before = read_db(_choices)
    for body in ({"sms": True}, {"sms": True, "email": True}):
        refused = await client.patch(URL, json=body, headers=auth_for(SOFIA))
        assert (refused.status_code, refused.json()["detail"]) == (409, {"code": "sms_stopped"})
    assert read_db(_choices) == before
    assert audit_entries(read_db, "alert_settings") == []

    await opt_out(False)
    response = await client.patch(URL, json={"sms": True}, headers=auth_for(SOFIA))
    assert response.json() == {**_settings(True, False), "changed": ["sms"]}


async def test_sms_on_without_a_verified_phone_is_refused(client, auth_for, read_db):
    def unverify(session) -> None:
        session.execute(update(User).where(User.email == SOFIA).values(phone_verified=False))
        session.commit()

    read_db(unverify)
    shown = await client.get(URL, headers=auth_for(SOFIA))
    assert shown.json() == _settings(False, False, verified=False)
    refused = await client.patch(URL, json={"sms": True, "email": True}, headers=auth_for(SOFIA))
    assert (refused.status_code, refused.json()["detail"]) == (409, {"code": "no_verified_phone"})
    assert read_db(_choices)[SOFIA] == (False, False)
    assert audit_entries(read_db, "alert_settings") == []
    email_only = await client.patch(URL, json={"email": True}, headers=auth_for(SOFIA))
    assert email_only.json()["changed"] == ["email"]


async def test_by_sms_a_change_needs_the_confirmed_claim(client, user_ids, read_db):
    before = read_db(_choices)
    unconfirmed = _sms_headers(user_ids, OLIVIA, confirmed=False)
    assert (await client.get(URL, headers=unconfirmed)).json() == _settings(True, True)
    refused = await client.patch(URL, json={"sms": False}, headers=unconfirmed)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        {"code": "confirmation_required"},
    )
    assert read_db(_choices) == before
    assert audit_entries(read_db, "alert_settings") == []

    confirmed = _sms_headers(user_ids, OLIVIA, confirmed=True)
    response = await client.patch(URL, json={"sms": False}, headers=confirmed)
    assert response.json()["changed"] == ["sms"]
    assert read_db(_choices)[OLIVIA] == (False, True)
    assert audit_entries(read_db, "alert_settings") == [
        ("alert_settings", {"changed": {"sms": False}, "channel": "sms"})
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sms": None},
        {"sms": True, "user_id": 2},
        {"email": False, "user": "marc@demo-kitchen.test"},
        {"phone": "+15550000002"},
        {"sms": "yes"},
        {"email": 0},
        [],
    ],
)
async def test_an_empty_or_unknown_body_is_refused(client, auth_for, read_db, body):
    before = read_db(_choices)
    response = await client.patch(URL, json=body, headers=auth_for(SOFIA))
    assert response.status_code == 422, response.text
    assert read_db(_choices) == before
    assert audit_entries(read_db, "alert_settings") == []


@pytest.fixture
async def platform(settings) -> AsyncIterator[PlatformClient]:
    """The actions' client, talking in-process to a fresh app on this test's database."""
    app = create_app(settings)
    client = PlatformClient("http://platform.test", transport=httpx.ASGITransport(app=app))
    try:
        yield client
    finally:
        await client.aclose()
        app.state.platform.dispose()


async def test_the_actions_client(platform, token_for, read_db):
    olivia, sofia = token_for(OLIVIA), token_for(SOFIA)
    assert await platform.alert_settings(olivia) == _settings(True, True)
    changed = await platform.update_alert_settings(olivia, email=False)
    assert changed == {**_settings(True, False), "changed": ["email"]}
    both = await platform.update_alert_settings(sofia, sms=True, email=True)
    assert both["changed"] == ["sms", "email"]
    assert read_db(_choices)[SOFIA] == (True, True)
    with pytest.raises(PlatformError) as refused:
        await platform.update_alert_settings(sofia)
    assert refused.value.status == 422
