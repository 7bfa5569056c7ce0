"""``python -m bot.gateway``: serve the gateway on GATEWAY_HOST:GATEWAY_PORT."""

from __future__ import annotations

import uvicorn

from bot.config import get_settings


def main() -> None:
    """Run the gateway with uvicorn."""
    settings = get_settings()
    uvicorn.run(
        "bot.gateway.app:app",
        host=settings.gateway_host,
        port=settings.gateway_port,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
