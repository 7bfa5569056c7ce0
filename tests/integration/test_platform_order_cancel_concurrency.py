"""20 concurrent confirms of one cancellation, as 20 HTTP requests from 20 threads:
exactly one provider call, one audit entry, and the same answer for everyone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.platform.api import create_app
from bot.platform.models import AuditLog

OLIVIA = "olivia@demo-kitchen.test"
CONFIRMS = 20


def test_twenty_concurrent_confirms_cancel_dd_1001_once(
    settings, auth_for, read_db, internal_headers
):
    app = create_app(settings)
    headers = auth_for(OLIVIA)
    start = threading.Barrier(CONFIRMS)

    def confirm(index: int) -> tuple[int, dict]:
        client = TestClient(app)  # each thread: its own client and event loop (no lifespan)
        start.wait(timeout=30)
        response = client.post(
            "/api/v1/orders/DD-1001/cancel",
            json={"reason": "duplicate_order", "request_id": f"confirm-{index}"},
            headers=headers,
        )
        return response.status_code, response.json()

    try:
        with ThreadPoolExecutor(max_workers=CONFIRMS) as pool:
            answers = list(pool.map(confirm, range(CONFIRMS)))
        calls = (
            TestClient(app)
            .get(
                "/internal/sandbox/calls",
                params={"method": "cancel", "target": "DD-1001"},
                headers=internal_headers,
            )
            .json()
        )
    finally:
        app.state.platform.dispose()

    assert {status for status, _ in answers} == {200}, answers
    assert {body["outcome"] for _, body in answers} == {"cancelled"}
    assert sum(not body["replayed"] for _, body in answers) == 1
    assert {body["order"]["cancel_reason"]["key"] for _, body in answers} == {"duplicate_order"}
    assert len(calls) == 1
    count = read_db(
        lambda session: session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "order.cancel")
        )
    )
    assert count == 1
