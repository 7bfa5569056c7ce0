"""The onboarding endpoints of the platform API, as the onboarding actions call them.

``POST /api/v1/onboarding`` checks the provider's eligibility criteria at a location
(and opens an onboarding when eligible); the steps then go through
``/api/v1/onboarding/{id}/pairing | brand | stores | menu-export``, and
``GET /api/v1/onboarding/current`` reads where the conversation's onboarding stands.
The platform checks the identity, the organization and the permission on every call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.platform_client import PlatformClient, PlatformError

BASE = "/api/v1/onboarding"


def _path(onboarding_id: str, step: str) -> str:
    return f"{BASE}/{quote(onboarding_id, safe='')}/{step}"


async def check_eligibility(
    client: PlatformClient, token: str | None, provider: str, location: str, lang: str
) -> dict[str, Any]:
    """The provider's criteria at the location; ``onboarding`` is set when eligible.

    Raises:
        PlatformError: ``not_allowed`` (``who_can``), ``unknown_provider`` /
            ``unknown_location`` (``value``, ``valid``), ``already_connected``
            (``accounts``, ``stores``).
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    body = {"provider": provider, "location": location, "lang": lang}
    return await client.send("POST", BASE, token, body)


async def current_onboarding(
    client: PlatformClient, token: str | None, lang: str
) -> dict[str, Any] | None:
    """The conversation's newest onboarding, or ``None`` when it has none."""
    try:
        return await client.get(f"{BASE}/current", token, {"lang": lang})
    except PlatformError as exc:
        if exc.status == 404:
            return None
        raise


async def onboarding_step(
    client: PlatformClient, token: str | None, onboarding_id: str, step: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST a step (``pairing``, ``brand``, ``stores``, ``menu-export``); the onboarding.

    Raises:
        PlatformError: ``forbidden``, ``not_allowed`` (``who_can``), ``wrong_step``.
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    return await client.send("POST", _path(onboarding_id, step), token, body)
