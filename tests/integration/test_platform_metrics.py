"""The platform's /metrics: the handoff queue and the alert outbox as they are at each
scrape, its requests timed; METRICS_TOKEN guards it when set; every answer names its
request id (the caller's, or a new one)."""

from __future__ import annotations

import re

from pydantic import SecretStr

MARC = "marc@demo-kitchen.test"


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


async def test_the_queue_is_counted_as_it_is_at_each_scrape(
    client, user_ids, internal_headers
) -> None:
    before = (await client.get("/metrics")).text
    assert _value(before, "ma_handoff_waiting") == 0
    assert _value(before, "ma_outbox_parked") == 0
    body = {
        "conversation_id": "web:2:0123456789abcdef",
        "user_id": user_ids[MARC],
        "channel": "web",
        "language": "fr",
        "reason": "asked",
    }
    opened = await client.post("/internal/handoffs", json=body, headers=internal_headers)
    assert opened.status_code == 201, opened.text
    after = await client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    assert _value(after.text, "ma_handoff_waiting") == 1
    assert _value(after.text, "ma_handoff_oldest_wait_seconds") >= 0
    assert re.search(
        r'^ma_http_request_seconds_count\{process="platform",route="/internal/handoffs",'
        r'status="2xx"\} [1-9]',
        after.text,
        re.MULTILINE,
    )


async def test_a_metrics_token_guards_the_scrape(client_with) -> None:
    async with client_with(metrics_token=SecretStr("scrape-me")) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert right.status_code == 200 and "ma_handoff_waiting" in right.text


async def test_every_answer_names_its_request_id(client) -> None:
    given = await client.get("/healthz", headers={"X-Request-Id": "req-from-gateway"})
    assert given.headers["x-request-id"] == "req-from-gateway"
    fresh = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
