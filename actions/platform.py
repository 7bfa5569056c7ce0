"""The action server's one PlatformClient, created on first use (never at import)."""

from __future__ import annotations

from functools import lru_cache

from bot.config import get_settings
from bot.platform_client import PlatformClient


@lru_cache(maxsize=1)
def shared_client() -> PlatformClient:
    """The process-wide client for the platform API."""
    settings = get_settings()
    return PlatformClient(settings.effective_platform_url(), timeout=settings.platform_timeout)
