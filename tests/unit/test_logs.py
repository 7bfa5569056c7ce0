"""LOG_FORMAT=json: one JSON object per line with the conversation and request ids, and
the ids passed on to the platform with each call made meanwhile."""

from __future__ import annotations

import io
import json
import logging

import httpx

from bot.logs import configure_logging, log_context
from bot.platform_client import PlatformClient


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_the_ids_of_the_work_under_way(monkeypatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("json")
        log = logging.getLogger("bot.test")
        with log_context("web:1:9f86d081884c7d65", "req-1"):
            log.info("turn for %s", "Olivia")
        log.warning("between turns")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    first, second = _lines(stream)
    assert first["message"] == "turn for Olivia" and first["level"] == "INFO"
    assert (first["conversation_id"], first["request_id"]) == ("web:1:9f86d081884c7d65", "req-1")
    assert (second["conversation_id"], second["request_id"]) == ("", "")


async def test_the_platform_is_told_the_ids() -> None:
    seen: list[httpx.Headers] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"providers": []})

    client = PlatformClient("http://platform.test", transport=httpx.MockTransport(platform))
    try:
        with log_context("sms:3:15550000003") as request_id:
            await client.providers()
        await client.providers()
    finally:
        await client.aclose()
    assert seen[0]["x-request-id"] == request_id and len(request_id) == 32
    assert seen[0]["x-conversation-id"] == "sms:3:15550000003"
    assert "x-request-id" not in seen[1]
