"""The FastAPI application of the platform API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bot.config import Settings
from bot.logs import configure_logging
from bot.platform import metrics as platform_metrics
from bot.platform.api import (
    activation,
    alerts,
    alerts_internal,
    alerts_unsubscribe,
    channels_internal,
    conversations_internal,
    dispatch,
    handoff,
    handoff_agents,
    handoff_internal,
    integrations,
    internal,
    onboarding,
    orders,
    oto,
    public,
    repair,
    repair_internal,
    request_context,
    sandbox_internal,
)
from bot.platform.api.state import PlatformState
from bot.platform.oto_page import log_redaction as oto_log_redaction
from bot.platform.oto_page import routes as oto_page
from bot.platform.pairing_page import log_redaction
from bot.platform.pairing_page import routes as pairing_page


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: PlatformState = app.state.platform
    if state.settings.log_format == "json":
        configure_logging("json")
    state.sessions()  # the engine is created from the settings at startup
    dispatcher = None
    if state.settings.alert_dispatcher:  # one alert dispatcher loop (docs/alerts-contract.md)
        from bot.notify.dispatcher import Dispatcher

        dispatcher = Dispatcher(state.sessions(), state.settings)
        dispatcher.start()
    retention = None
    if state.settings.retention_job:  # RETENTION_DAYS (bot/retention.py)
        from bot.retention import RetentionJob

        retention = RetentionJob(state.sessions(), state.settings)
        retention.start()
    try:
        yield
    finally:
        if retention is not None:
            await retention.stop()
        if dispatcher is not None:
            await dispatcher.stop()
        state.dispose()


def create_app(
    settings: Settings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """A platform API app.

    Args:
        settings: The settings to use (database, secrets, demo mode); the process
            settings, read when first needed, by default.
        gateway_transport: How the platform reaches the gateway (its conversation
            continuations); the network by default, a stand-in in tests.

    Returns:
        The app. Its engine is created at startup (or on the first request when the
        server does not run the lifespan) and disposed at shutdown.
    """
    app = FastAPI(
        title="merchant-assistant platform API",
        version="1.0.0",
        description=(
            "Integration status, account data and repairs (pairing, portal-steps checks)"
            " for the merchant assistant; also serves the one-time pairing page at /pair/."
        ),
        lifespan=_lifespan,
    )
    app.state.platform = PlatformState(settings, gateway_transport=gateway_transport)
    app.include_router(public.router)
    app.include_router(integrations.router)
    app.include_router(repair.router)
    app.include_router(dispatch.router)
    app.include_router(channels_internal.router)  # before internal: /internal/users/by-phone
    app.include_router(internal.router)
    app.include_router(repair_internal.router)
    app.include_router(orders.router)
    app.include_router(activation.router)
    app.include_router(onboarding.router)
    app.include_router(oto.router)
    app.include_router(sandbox_internal.router)
    app.include_router(alerts_internal.router)
    app.include_router(alerts.router)
    app.include_router(alerts_unsubscribe.router)
    app.include_router(handoff.router)
    app.include_router(handoff_internal.router)  # before handoff_agents: /handoffs/active
    app.include_router(handoff_agents.router)
    app.include_router(conversations_internal.router)
    app.include_router(pairing_page.router)
    app.include_router(oto_page.router)
    state: PlatformState = app.state.platform
    platform_metrics.install(
        app, state.sessions, lambda: state.settings.metrics_token.get_secret_value()
    )
    request_context.install(app)  # outermost: every line of a request carries its ids
    log_redaction.install()
    oto_log_redaction.install()
    return app
