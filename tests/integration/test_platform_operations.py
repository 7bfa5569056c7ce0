"""Side effects run once (operations.run_once) and the sandbox provider's side effects.

Each test runs on SQLite and on PostgreSQL (``demo_db_url``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.platform.models import (
    AuditLog,
    Location,
    Operation,
    ProviderAccount,
    SandboxCall,
    SandboxFault,
    Store,
)
from bot.platform.providers.adapter import AccountRef
from bot.platform.providers.registry import adapter_for
from bot.platform.services.audit import record_audit
from bot.platform.services.operations import OperationFailed, run_once

ORG = 1  # Demo Kitchen Group


def _counter() -> tuple[list[str], Callable[[Session, str], dict]]:
    keys: list[str] = []
    lock = threading.Lock()

    def effect(session: Session, idempotency_key: str) -> dict:
        with lock:
            keys.append(idempotency_key)
        record_audit(session, organization_id=ORG, action="test.effect", detail={"n": 1})
        return {"done": True, "key": idempotency_key}

    return keys, effect


def _audits(sessions: sessionmaker[Session], action: str) -> int:
    with sessions() as session:
        return session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
        )


def test_a_second_call_replays_the_first_answer(sessions) -> None:
    keys, effect = _counter()
    with sessions() as session:
        first = run_once(
            session, organization_id=ORG, user_id=None, kind="t", key="1", effect=effect
        )
    with sessions() as session:
        second = run_once(
            session, organization_id=ORG, user_id=None, kind="t", key="1", effect=effect
        )
    assert first.succeeded and not first.replayed
    assert second.succeeded and second.replayed and second.result == first.result
    assert keys == ["t:1:1"]
    assert _audits(sessions, "test.effect") == 1


def test_twenty_concurrent_calls_run_the_effect_once(sessions) -> None:
    keys, effect = _counter()

    def call(_: int) -> tuple[str, dict]:
        with sessions() as session:
            outcome = run_once(
                session, organization_id=ORG, user_id=None, kind="t", key="race", effect=effect
            )
            return outcome.state, outcome.result

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(call, range(20)))
    assert keys == ["t:race:1"]
    assert {state for state, _ in answers} == {"succeeded"}
    assert len({str(result) for _, result in answers}) == 1
    assert _audits(sessions, "test.effect") == 1


def test_a_failure_is_recorded_and_a_new_call_tries_again(sessions) -> None:
    calls: list[str] = []

    def failing(session: Session, idempotency_key: str) -> dict:
        calls.append(idempotency_key)
        record_audit(session, organization_id=ORG, action="test.never_kept")
        raise OperationFailed({"error": "provider_error"})

    with sessions() as session:
        failed = run_once(
            session,
            organization_id=ORG,
            user_id=None,
            kind="t",
            key="f",
            effect=failing,
            failure_audit="test.failed",
            audit_detail={"order": "X"},
        )
    assert failed.state == "failed" and failed.result == {"error": "provider_error"}
    assert _audits(sessions, "test.never_kept") == 0  # the effect's changes were rolled back
    assert _audits(sessions, "test.failed") == 1
    keys, effect = _counter()
    with sessions() as session:
        retried = run_once(
            session, organization_id=ORG, user_id=None, kind="t", key="f", effect=effect
        )
    assert retried.succeeded and keys == ["t:f:2"]  # a new attempt, a new idempotency key
    with sessions() as session:
        again = run_once(
            session, organization_id=ORG, user_id=None, kind="t", key="f", effect=failing
        )
    assert again.succeeded and again.replayed and calls == ["t:f:1"]


def test_an_abandoned_run_is_taken_over(sessions) -> None:
    keys, effect = _counter()
    with sessions() as session:
        session.add(Operation(organization_id=ORG, kind="t", key="stale", state="running"))
        session.commit()
        session.execute(
            update(Operation)
            .where(Operation.key == "stale")
            .values(started_at=datetime.now(timezone.utc) - timedelta(minutes=10))
        )
        session.commit()
    with sessions() as session:
        outcome = run_once(
            session,
            organization_id=ORG,
            user_id=None,
            kind="t",
            key="stale",
            effect=effect,
            stale_seconds=60,
        )
    assert outcome.succeeded and keys == ["t:stale:2"]


def _sandbox(session: Session, account_id: str):
    account = session.get(ProviderAccount, account_id)
    ref = AccountRef(account.id, account.provider_key, account.login, account.asks_2fa)
    settings = Settings(_env_file=None, credentials_key=Fernet.generate_key().decode())
    return adapter_for(session, settings, account.provider_key), ref


def _store(session: Session, location: str) -> int:
    return session.scalars(
        select(Store.id).join(Store.location).where(Location.name == location)
    ).first()


def test_the_sandbox_records_one_call_per_key_and_fires_faults_once(sessions) -> None:
    with sessions() as session:
        session.add(SandboxFault(method="cancel", target="DD-1001", error="provider_error"))
        session.commit()
        adapter, _ = _sandbox(session, "dd-main")
        first = adapter.cancel_order("doordash", "dd-1001", "customer_request", "k1")
        repeat = adapter.cancel_order("doordash", "DD-1001", "customer_request", "k1")
        retry = adapter.cancel_order("doordash", "DD-1001", "customer_request", "k2")
        session.rollback()  # the caller's transaction does not undo the provider's records
    assert (first.ok, first.error) == (False, "provider_error")
    assert repeat == first
    assert retry.ok
    with sessions() as session:
        calls = session.scalars(select(SandboxCall).order_by(SandboxCall.id)).all()
        assert [(c.method, c.target, c.ok) for c in calls] == [
            ("cancel", "DD-1001", False),
            ("cancel", "DD-1001", True),
        ]
        assert session.scalar(select(func.count()).select_from(SandboxFault)) == 0


@pytest.mark.parametrize(
    ("location", "expected"),
    [("Riverside", None), ("Airport", "missing_menu_hours"), ("Downtown", "empty_menu")],
)
def test_the_sandbox_menu_export_checks_the_menu(sessions, location, expected) -> None:
    with sessions() as session:
        adapter, ref = _sandbox(session, "dd-river")
        outcome = adapter.export_menu(ref, _store(session, location), f"export-{location}")
    assert outcome.error == expected and outcome.ok is (expected is None)


async def test_sandbox_faults_and_calls_over_http(client, internal_headers) -> None:
    assert (await client.post("/internal/sandbox/faults", json={})).status_code == 401
    bad = await client.post(
        "/internal/sandbox/faults",
        json={"method": "explode", "target": "x", "error": "boom"},
        headers=internal_headers,
    )
    assert bad.status_code == 422
    made = await client.post(
        "/internal/sandbox/faults",
        json={"method": "cancel", "target": "ue-2002", "error": "provider_error"},
        headers=internal_headers,
    )
    assert made.status_code == 201 and made.json()["target"] == "UE-2002"
    calls = await client.get("/internal/sandbox/calls?method=cancel", headers=internal_headers)
    assert calls.status_code == 200 and calls.json() == []
    reset = await client.post("/internal/sandbox/reset", headers=internal_headers)
    assert reset.status_code == 200


async def test_sandbox_controls_off_hides_the_endpoints(client_with, internal_headers) -> None:
    async with client_with(sandbox_controls=False) as client:
        answer = await client.get("/internal/sandbox/calls", headers=internal_headers)
    assert answer.status_code == 404
