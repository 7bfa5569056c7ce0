"""rasa-sdk's plugin package: ``rasa_sdk.plugin`` imports a package of this name and calls
:func:`init_hooks`. Ours gives the action server ``/metrics`` (actions/metrics.py)."""

from __future__ import annotations

import os

import pluggy
from sanic import Sanic

from actions.metrics import install
from bot.logs import configure_logging

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class MetricsPlugin:
    """Attaches the action server's metrics to rasa-sdk's Sanic app."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        """rasa-sdk's hook: called with the app before it runs (LOG_FORMAT=json: JSON
        log lines with the conversation and request ids, as every process)."""
        if os.environ.get("LOG_FORMAT", "").lower() == "json":
            configure_logging("json")
        install(app)


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Register our plugins with rasa-sdk's plugin manager."""
    manager.register(MetricsPlugin())
