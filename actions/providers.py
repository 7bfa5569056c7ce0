"""Recognising provider names and aliases ("UberEats", "Skip") in what a merchant types.

The catalog comes from the platform (``GET /api/v1/providers``) and is kept for a few
minutes; the NLU's ``provider`` entity is the fallback when the text names none.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.platform_client import PlatformClient, PlatformError, PlatformUnavailable

CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class Provider:
    """One catalog entry: its key (what the platform filters on) and display name."""

    key: str
    name: str
    aliases: tuple[str, ...]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", _fold(text))


def _pattern(alias: str) -> re.Pattern[str]:
    words = re.findall(r"[0-9a-z]+", _fold(alias))
    return re.compile(r"(?<![0-9a-z])" + r"[\s\-_.]*".join(words) + r"(?![0-9a-z])")


def parse_catalog(rows: list[dict[str, Any]]) -> list[Provider]:
    """The providers of a ``/providers`` answer."""
    providers = []
    for row in rows:
        key = str(row.get("key") or row.get("id") or "")
        name = str(row.get("name") or row.get("display_name") or key)
        if not key:
            continue
        aliases = tuple(str(a) for a in row.get("aliases") or [] if a)
        providers.append(Provider(key, name, (name, key, *aliases)))
    return providers


def find_provider(text: str, providers: list[Provider]) -> Provider | None:
    """The provider named first in ``text`` (the longest alias wins at one position)."""
    folded = _fold(text)
    best: tuple[int, int, Provider] | None = None
    for provider in providers:
        for alias in provider.aliases:
            if not _compact(alias):
                continue
            match = _pattern(alias).search(folded)
            if match and (best is None or (match.start(), -len(match.group())) < best[:2]):
                best = (match.start(), -len(match.group()), provider)
    return best[2] if best else None


def match_name(value: str, providers: list[Provider]) -> Provider | None:
    """The provider whose name, key or an alias is ``value`` (spacing and case ignored)."""
    wanted = _compact(value)
    for provider in providers:
        if any(_compact(alias) == wanted for alias in provider.aliases):
            return provider
    return None


class ProviderCatalog:
    """The platform's provider catalog, fetched on first use and kept for a while."""

    def __init__(self, client: PlatformClient, ttl: float = CACHE_SECONDS) -> None:
        self._client = client
        self._ttl = ttl
        self._providers: list[Provider] = []
        self._fetched_at = 0.0

    async def providers(self) -> list[Provider]:
        """Every provider, or the last known list when the platform cannot answer."""
        if not self._providers or time.monotonic() - self._fetched_at > self._ttl:
            try:
                rows = await self._client.providers()
            except (PlatformError, PlatformUnavailable):
                return self._providers
            self._providers = parse_catalog(rows if isinstance(rows, list) else [])
            self._fetched_at = time.monotonic()
        return self._providers

    async def resolve(self, text: str, entity_value: str | None) -> str | None:
        """What to filter on: a catalog key named in the text, else the raw entity value.

        An unknown entity value is passed on as typed, so the platform can say it is unknown.
        """
        providers = await self.providers()
        found = find_provider(text, providers) if text and not text.startswith("/") else None
        if found is None and entity_value:
            found = match_name(entity_value, providers)
            if found is None:
                return entity_value
        return found.key if found else None
