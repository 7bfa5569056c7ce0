"""Public endpoints: liveness and the provider catalog."""

from __future__ import annotations

from fastapi import APIRouter

from bot.platform.api.schemas import Health, ProviderOut
from bot.platform.providers.catalog import get_catalog

router = APIRouter()


@router.get("/healthz", response_model=Health, tags=["public"])
def healthz() -> Health:
    """Liveness: the process answers (the database is not touched)."""
    return Health()


@router.get("/api/v1/providers", response_model=list[ProviderOut], tags=["public"])
def providers() -> list[ProviderOut]:
    """Every provider of the catalog: key, display name and the aliases the bot understands."""
    return [
        ProviderOut(key=info.key, name=info.name, aliases=list(info.aliases))
        for info in get_catalog().providers
    ]
