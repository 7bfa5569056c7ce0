"""Each platform request's log lines carry the caller's request and conversation ids
(``X-Request-Id`` / ``X-Conversation-Id``, sent by the gateway's and the action server's
clients); a request without them gets a new request id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from bot.logs import CONVERSATION_HEADER, REQUEST_HEADER, log_context

MAX_ID_CHARS = 200


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    return value[:MAX_ID_CHARS] if value else None


def install(app: FastAPI) -> None:
    """Wrap every request of ``app`` in its log context; echo the request id back."""

    @app.middleware("http")
    async def with_ids(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        conversation = _header(request, CONVERSATION_HEADER)
        with log_context(conversation, _header(request, REQUEST_HEADER)) as request_id:
            response = await call_next(request)
        response.headers[REQUEST_HEADER] = request_id
        return response
