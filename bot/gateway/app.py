"""The gateway's ASGI application: FastAPI for HTTP, socket.io at ``/socket.io``.

Run it with ``uvicorn bot.gateway.app:app`` (or ``python -m bot.gateway``). Importing
this module has no side effects: ``app`` is built on first access from
:func:`bot.config.get_settings`, and the HTTP clients are opened on startup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import socketio
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings, get_settings
from bot.gateway import console, continuation, demo, unsubscribe
from bot.gateway.channels import sms, telegram
from bot.gateway.channels.webchat import WebChat
from bot.gateway.runtime import GatewayRuntime
from bot.gateway.shared_locks import REDIS_OPTIONS
from bot.logs import configure_logging
from bot.metrics import CONTENT_TYPE, exposition, scrape_allowed

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_PATH = "/socket.io"
MAX_SOCKET_PACKET_BYTES = 100_000  # messages are capped at 2,000 characters anyway


def create_app(
    settings: Settings,
    *,
    platform_transport: httpx.AsyncBaseTransport | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the gateway application.

    Args:
        settings: the process settings (secrets, URLs, demo mode, timeouts).
        platform_transport: httpx transport for the platform client (tests only).
        rasa_transport: httpx transport for the Rasa client (tests only).

    Returns:
        The FastAPI app, with the socket.io server mounted at ``/socket.io``; the
        shared runtime is ``app.state.runtime`` and the web chat ``app.state.webchat``.
    """
    runtime = GatewayRuntime(
        settings, platform_transport=platform_transport, rasa_transport=rasa_transport
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.log_format == "json":
            configure_logging("json")
        await runtime.open()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="merchant-assistant gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # Default CORS policy of python-socketio: same origin only. With REDIS_URL (production
    # profile) rooms and emits go through Redis, so any gateway process reaches a socket
    # connected to another one.
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, redis_options=dict(REDIS_OPTIONS))
        if settings.redis_url
        else None
    )
    sio = socketio.AsyncServer(
        async_mode="asgi",
        max_http_buffer_size=MAX_SOCKET_PACKET_BYTES,
        client_manager=manager,
    )
    app.state.runtime = runtime
    app.state.sio = sio
    app.state.webchat = WebChat(sio, runtime)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up (does not probe Rasa or the platform)."""
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus text exposition (messages, turn latency, errors; METRICS_TOKEN)."""
        token = settings.metrics_token.get_secret_value()
        if not scrape_allowed(token, request.headers.get("authorization")):
            return Response(status_code=401)
        return Response(exposition(), media_type=CONTENT_TYPE)

    app.include_router(demo.router)
    console.install(app, sio, runtime)  # the support console: /console, socket.io /console
    app.include_router(continuation.build_router(runtime))
    app.include_router(unsubscribe.build_router(settings, platform_transport))
    telegram.install(app, runtime)
    sms.install(app, runtime)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # engineio_path=None: the mount already routes /socket.io/... to the server.
    app.mount(SOCKET_IO_PATH, socketio.ASGIApp(sio, socketio_path=None))
    return app


def __getattr__(name: str) -> Any:
    """Build ``app`` lazily on first access (``uvicorn bot.gateway.app:app``)."""
    if name == "app":
        application = create_app(get_settings())
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
