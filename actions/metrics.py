"""The action server's ``/metrics``: each action run (by name) timed, and those that
failed (the server answered 5xx) counted; requests by route."""

from __future__ import annotations

import os
import time
from typing import Any

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from bot.metrics import (
    ACTION_ERRORS,
    ACTION_SECONDS,
    CONTENT_TYPE,
    REQUEST_SECONDS,
    exposition,
    scrape_allowed,
    status_class,
)

PROCESS = "actions"


def _action_of(request: Request) -> str:
    try:
        body: Any = request.json
    except Exception:  # noqa: BLE001 - not JSON: not an action call
        return ""
    return str(body.get("next_action") or "") if isinstance(body, dict) else ""


def install(app: Sanic) -> None:
    """Time requests and actions on ``app``; serve ``GET /metrics``."""
    token = os.environ.get("METRICS_TOKEN", "")

    @app.on_request
    async def started(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def finished(request: Request, answer: HTTPResponse) -> None:
        began = getattr(request.ctx, "started", None)
        if began is None:
            return
        seconds = time.perf_counter() - began
        route = request.route.path if request.route is not None else "unmatched"
        REQUEST_SECONDS.labels(PROCESS, route, status_class(answer.status)).observe(seconds)
        action = _action_of(request) if request.path == "/webhook" else ""
        if action:
            ACTION_SECONDS.labels(action).observe(seconds)
            if answer.status >= 500:
                ACTION_ERRORS.labels(action).inc()

    async def metrics(request: Request) -> HTTPResponse:
        if not scrape_allowed(token, request.headers.get("authorization")):
            return response.empty(status=401)
        return response.raw(exposition(), content_type=CONTENT_TYPE)

    app.add_route(metrics, "/metrics", methods=["GET"], name="metrics")
