"""Secrets stay secret: encrypted credentials, canary password and codes nowhere in clear
(database dump, logs, audit), and the sandbox controls. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from sqlalchemy import MetaData, select

from bot.platform.db import make_engine
from bot.platform.models import ProviderCredential, SandboxAccount
from bot.platform.secrets_box import SecretsBox
from tests.integration.conftest import CREDENTIALS_KEY

OLIVIA = "olivia@demo-kitchen.test"


def _path(url: str) -> str:
    return urlsplit(url).path


def _step(html: str) -> str:
    return html.split('name="step" value="', 1)[1].split('"', 1)[0]


def _dump_database(url: str) -> str:
    """Every row of every table of the database, as text."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        lines = []
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(table.select()):
                    lines.append(f"{table.name}: {tuple(row)!r}")
        return "\n".join(lines)
    finally:
        engine.dispose()


async def test_canary_password_and_codes_appear_nowhere_in_clear(
    repair_client, auth_for, user_ids, internal_headers, demo_db_url, read_db, caplog
):
    password = "canary-pw-" + secrets.token_urlsafe(12)
    code = str(secrets.randbelow(10**8)).zfill(8)
    wrong_codes = [str(secrets.randbelow(10**8)).zfill(8) for _ in range(2)]
    wrong_codes = [c for c in wrong_codes if c != code]
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # SQL and its parameters
    try:
        put = await repair_client.put(
            "/internal/sandbox/accounts/dd-main",
            json={"password": password, "code": code},
            headers=internal_headers,
        )
        assert put.json() == {
            "account_id": "dd-main",
            "password_set": True,
            "code_set": True,
            "injections": [],
        }
        headers = auth_for(OLIVIA, "conv-canary")
        started = (
            await repair_client.post(
                "/api/v1/repair/pairings", json={"account_id": "dd-main"}, headers=headers
            )
        ).json()
        refused = await repair_client.post(
            _path(started["url"]),
            data={"email": "doordash@demo-kitchen.test", "password": "demo-password"},
        )
        assert 'data-outcome="wrong_password"' in refused.text  # the demo default no longer works
        started = (
            await repair_client.post(
                "/api/v1/repair/pairings", json={"account_id": "dd-main"}, headers=headers
            )
        ).json()
        form = await repair_client.post(
            _path(started["url"]),
            data={"email": "doordash@demo-kitchen.test", "password": password},
        )
        wrong = await repair_client.post(
            _path(started["url"]) + "/code", data={"step": _step(form.text), "code": wrong_codes[0]}
        )
        assert 'data-outcome="code_rejected"' in wrong.text
        chat = {"user_id": user_ids[OLIVIA], "conversation_id": "conv-canary"}
        rejected = await repair_client.post(
            "/internal/repair/codes", json={**chat, "code": "246810"}, headers=internal_headers
        )
        assert rejected.json()["outcome"] == "code_rejected"
        accepted = await repair_client.post(
            "/internal/repair/codes", json={**chat, "code": code}, headers=internal_headers
        )
        assert accepted.json()["outcome"] == "succeeded"
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    dump = _dump_database(demo_db_url)
    assert "provider_credentials" in dump and "pairing_sessions" in dump
    for canary in (password, code, *wrong_codes):
        assert canary not in dump, "a secret is stored in clear"
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "provider_credentials" in logs  # the SQL log was captured
    for canary in (password, code, *wrong_codes):
        assert canary not in logs, "a secret was logged"
    token = _path(started["url"]).rsplit("/", 1)[1]
    assert token not in dump  # the link token is stored only as its digest


async def test_the_password_is_kept_encrypted(repair_client, auth_for, user_ids, read_db):
    headers = auth_for(OLIVIA)
    started = (
        await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": "ue-main"}, headers=headers
        )
    ).json()
    await repair_client.post(
        _path(started["url"]),
        data={"email": "owner@demo-kitchen.test", "password": "demo-password"},
    )
    credential = read_db(lambda s: s.get(ProviderCredential, "ue-main"))
    assert credential.login == "owner@demo-kitchen.test"
    assert credential.updated_by == user_ids[OLIVIA]
    assert credential.secret != "demo-password" and "demo-password" not in credential.secret
    assert SecretsBox(CREDENTIALS_KEY).decrypt(credential.secret) == "demo-password"
    # A refused password is not kept.
    started = (
        await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": "dd-main"}, headers=headers
        )
    ).json()
    await repair_client.post(
        _path(started["url"]), data={"email": "doordash@demo-kitchen.test", "password": "bad"}
    )
    assert read_db(lambda s: s.get(ProviderCredential, "dd-main")) is None


async def test_sandbox_controls(repair_client, repair_client_with, internal_headers, read_db):
    inject = [{"on": "check", "error_type": "invalid_store_configuration", "error_case": "x"}]
    put = await repair_client.put(
        "/internal/sandbox/accounts/dr-river", json={"inject": inject}, headers=internal_headers
    )
    assert put.status_code == 200
    bad = await repair_client.put(
        "/internal/sandbox/accounts/dr-river",
        json={"inject": [{"on": "check", "error_type": "nonsense"}]},
        headers=internal_headers,
    )
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "invalid_injection"
    case_without_type = await repair_client.put(
        "/internal/sandbox/accounts/dr-river",
        json={
            "inject": [{"on": "pairing", "error_type": "invalid_credentials", "error_case": "x"}]
        },
        headers=internal_headers,
    )
    assert case_without_type.status_code == 422
    unknown = await repair_client.put(
        "/internal/sandbox/accounts/nope", json={}, headers=internal_headers
    )
    assert unknown.status_code == 404
    unauthenticated = await repair_client.put("/internal/sandbox/accounts/dr-river", json={})
    assert unauthenticated.status_code == 401
    reset = await repair_client.delete(
        "/internal/sandbox/accounts/dr-river", headers=internal_headers
    )
    assert reset.json() == {"account_id": "dr-river", "reset": True}
    assert read_db(lambda s: s.scalars(select(SandboxAccount)).all()) == []
    async with repair_client_with(sandbox_controls=False) as client:
        for call in (
            client.put("/internal/sandbox/accounts/dr-river", json={}, headers=internal_headers),
            client.delete("/internal/sandbox/accounts/dr-river", headers=internal_headers),
        ):
            response = await call
            assert (response.status_code, response.json()) == (
                404,
                {"detail": {"code": "not_found"}},
            )


async def test_internal_code_endpoint_needs_the_internal_token(repair_client, auth_for, user_ids):
    body = {"user_id": user_ids[OLIVIA], "conversation_id": "c", "code": "246810"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, auth_for(OLIVIA)):
        response = await repair_client.post("/internal/repair/codes", json=body, headers=headers)
        assert response.status_code == 401


async def test_sandbox_reset_puts_the_demo_back(
    repair_client, repair_client_with, auth_for, internal_headers, read_db
):
    headers = auth_for(OLIVIA)
    await repair_client.put(
        "/internal/sandbox/accounts/ue-main", json={"code": "1234"}, headers=internal_headers
    )
    started = (
        await repair_client.post(
            "/api/v1/repair/pairings", json={"account_id": "ue-main"}, headers=headers
        )
    ).json()
    await repair_client.post(
        _path(started["url"]),
        data={"email": "ubereats@demo-kitchen.test", "password": "demo-password"},
    )
    await repair_client.post("/api/v1/repair/accounts/dr-river/check", json={}, headers=headers)
    reset = await repair_client.post("/internal/sandbox/reset", headers=internal_headers)
    assert reset.json() == {"restored_links": 11}
    status = (await repair_client.get("/api/v1/integrations/status", headers=headers)).json()
    assert sorted(b["account_id"] for b in status["broken"]) == [
        "dd-main",
        "dr-river",
        "gl-main",
        "ue-main",
        "ue-river",
    ]
    assert read_db(lambda s: s.scalars(select(ProviderCredential)).all()) == []
    assert read_db(lambda s: s.scalars(select(SandboxAccount)).all()) == []
    assert (await repair_client.get(_path(started["url"]))).status_code == 410
    assert (await repair_client.post("/internal/sandbox/reset")).status_code == 401
    async with repair_client_with(sandbox_controls=False) as client:
        refused = await client.post("/internal/sandbox/reset", headers=internal_headers)
        assert refused.status_code == 404
