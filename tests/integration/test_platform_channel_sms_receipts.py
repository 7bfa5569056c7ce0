"""SMS opt-outs, channel receipts (each message processed once), and the demo reset of
the channel tables.

Through the HTTP API with the internal token, on SQLite and PostgreSQL
(docs/channels-contract.md).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from bot.platform.api import create_app
from bot.platform.models import (
    ChannelReceipt,
    SmsOptOut,
    TelegramLink,
    TelegramLinkCode,
)
from bot.platform.services import channel_receipts
from tests.integration.channel_requests import (
    MARC,
    OLIVIA,
    TG_OLIVIA,
    count_rows,
    link_code,
    mint_code,
)
from tests.integration.records import audit_entries

# --- SMS opt-outs ---------------------------------------------------------------------


async def test_opt_out_and_back_in(client, internal_headers, read_db):
    async def read(phone: str) -> dict:
        response = await client.get(
            "/internal/sms/opt-outs", params={"phone": phone}, headers=internal_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def write(phone: str, opted_out: bool) -> dict:
        response = await client.post(
            "/internal/sms/opt-outs",
            json={"phone": phone, "opted_out": opted_out},
            headers=internal_headers,
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert await read("+15550000001") == {"phone": "+15550000001", "opted_out": False}
    assert await write("15550000001", True) == {"phone": "+15550000001", "opted_out": True}
    assert await read("+15550000001") == {"phone": "+15550000001", "opted_out": True}
    assert await write("+15550000001", True) == {"phone": "+15550000001", "opted_out": True}
    assert await write("+15550000001", False) == {"phone": "+15550000001", "opted_out": False}
    assert await read("+1 555 000 0001") == {"phone": "+15550000001", "opted_out": False}
    assert count_rows(read_db, SmsOptOut) == 1


# --- receipts -------------------------------------------------------------------------


async def test_receipts_first_then_duplicate(client, internal_headers):
    async def receive(channel: str, external_id: object):
        return await client.post(
            "/internal/channels/receipts",
            json={"channel": channel, "external_id": external_id},
            headers=internal_headers,
        )

    first = await receive("sms", "SM0123456789abcdef")
    assert (first.status_code, first.json()) == (201, {"first": True})
    again = await receive("sms", "SM0123456789abcdef")
    assert (again.status_code, again.json()) == (200, {"first": False})
    # the same id on the other channel is another message; an int update_id is its text
    assert (await receive("telegram", "SM0123456789abcdef")).status_code == 201
    assert (await receive("telegram", 123456789)).status_code == 201
    assert (await receive("telegram", "123456789")).json() == {"first": False}


def test_two_concurrent_receipts_of_one_message_process_it_once(
    settings, internal_headers, read_db
):
    app = create_app(settings)
    racers = 8
    start = threading.Barrier(racers)

    def receive(_: int) -> tuple[int, bool]:
        client = TestClient(app)
        start.wait(timeout=30)
        response = client.post(
            "/internal/channels/receipts",
            json={"channel": "telegram", "external_id": "555000111"},
            headers=internal_headers,
        )
        return response.status_code, response.json()["first"]

    try:
        with ThreadPoolExecutor(max_workers=racers) as pool:
            answers = list(pool.map(receive, range(racers)))
    finally:
        app.state.platform.dispose()
    assert sorted(answers) == [(200, False)] * (racers - 1) + [(201, True)]
    assert count_rows(read_db, ChannelReceipt) == 1


def test_old_receipts_are_purged(read_db):
    now = datetime.now(timezone.utc)

    def receive_and_purge(session) -> tuple[int, bool, bool]:
        assert channel_receipts.record_receipt(
            session, "sms", "SM-old", now=now - timedelta(days=8)
        )
        assert channel_receipts.record_receipt(
            session, "sms", "SM-new", now=now - timedelta(days=1)
        )
        purged = channel_receipts.purge_receipts(session, now=now)
        return (
            purged,
            channel_receipts.record_receipt(session, "sms", "SM-old", now=now),
            channel_receipts.record_receipt(session, "sms", "SM-new", now=now),
        )

    assert read_db(receive_and_purge) == (1, True, False)


async def test_demo_reset_empties_the_channel_tables(client, internal_headers, user_ids, read_db):
    minted = await mint_code(client, internal_headers, user_ids[OLIVIA])
    await link_code(client, internal_headers, minted["code"], TG_OLIVIA)
    await mint_code(client, internal_headers, user_ids[MARC])
    await client.post(
        "/internal/sms/opt-outs",
        json={"phone": "+15550000003", "opted_out": True},
        headers=internal_headers,
    )
    await client.post(
        "/internal/channels/receipts",
        json={"channel": "sms", "external_id": "SM1"},
        headers=internal_headers,
    )
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert count_rows(read_db, model) >= 1

    reset = await client.post("/internal/sandbox/reset", headers=internal_headers)
    assert reset.status_code == 200, reset.text
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert count_rows(read_db, model) == 0
    found = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert found.status_code == 404
    assert len(audit_entries(read_db, "telegram.link")) == 1  # the audit log is kept
