"""A busy moment: many more requests at once than the platform has database connections
and worker threads are all answered (on SQLite and PostgreSQL), instead of every worker
thread waiting for a connection that the requests holding one cannot give back."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import make_settings, open_client

AT_ONCE = 120  # over anyio's 40 worker threads and any pool size below


async def test_120_requests_at_once_on_two_connections_are_all_answered(
    demo_db_url, internal_headers
) -> None:
    async with open_client(make_settings(demo_db_url, db_pool_size=2)) as client:
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(
                    client.get("/internal/demo-users", headers=internal_headers)
                    for _ in range(AT_ONCE)
                )
            ),
            timeout=25,  # under the pool's own 30-second wait, which would otherwise fail them
        )
        after = await client.get("/internal/demo-users", headers=internal_headers)
    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    emails = {user["email"] for user in after.json()}
    assert "olivia@demo-kitchen.test" in emails
    assert all({user["email"] for user in answer.json()} == emails for answer in answers)
