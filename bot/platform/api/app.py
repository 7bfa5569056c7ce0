"""The FastAPI application of the platform API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.config import Settings
from bot.platform.api import integrations, internal, public
from bot.platform.api.state import PlatformState


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: PlatformState = app.state.platform
    state.sessions()  # the engine is created from the settings at startup
    try:
        yield
    finally:
        state.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A platform API app.

    Args:
        settings: The settings to use (database, secrets, demo mode); the process
            settings, read when first needed, by default.

    Returns:
        The app. Its engine is created at startup (or on the first request when the
        server does not run the lifespan) and disposed at shutdown.
    """
    app = FastAPI(
        title="merchant-assistant platform API",
        version="1.0.0",
        description="Integration status and account data for the merchant assistant.",
        lifespan=_lifespan,
    )
    app.state.platform = PlatformState(settings)
    app.include_router(public.router)
    app.include_router(integrations.router)
    app.include_router(internal.router)
    return app
