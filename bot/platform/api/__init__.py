"""The platform's HTTP API: ``uvicorn bot.platform.api:app`` (OpenAPI at ``/openapi.json``).

``app`` reads no settings and opens no database until it starts; tests build their own
with :func:`create_app`.
"""

from bot.platform.api.app import create_app

app = create_app()

__all__ = ["app", "create_app"]
