"""The activation endpoints of the platform API, as the activation actions call them.

``GET /api/v1/activation/locations`` lists the caller's store links by what activation
can do (``activatable``, ``blocked`` with a reason, ``active``); ``POST
/api/v1/activation`` activates links and answers one outcome per link. The platform
checks the identity, the organization and the permission on every call.
"""

from __future__ import annotations

from typing import Any

from bot.platform_client import PlatformClient

LOCATIONS_PATH = "/api/v1/activation/locations"
ACTIVATE_PATH = "/api/v1/activation"


async def activation_overview(
    client: PlatformClient,
    token: str | None,
    *,
    provider: str | None = None,
    location: str | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """The caller's links for ``provider`` (or all) at ``location`` (or all).

    Raises:
        PlatformError: ``not_allowed`` (with ``who_can``), ``unknown_provider`` or
            ``unknown_location`` (with ``value`` and ``valid``).
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    params = {"provider": provider, "location": location, "lang": lang}
    return await client.get(LOCATIONS_PATH, token, params)


async def activate_links(
    client: PlatformClient, token: str | None, links: list[int], request_id: str, lang: str
) -> list[dict[str, Any]]:
    """Activate ``links`` (after the user pressed Confirm); one outcome per link.

    Raises:
        PlatformError: ``not_allowed`` (with ``who_can``), ``forbidden`` (a link of
            another organization, or unknown).
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    body = {"links": links, "request_id": request_id, "lang": lang}
    answer = await client.send("POST", ACTIVATE_PATH, token, body)
    return list((answer or {}).get("results") or [])


def parse_links(value: Any) -> list[int]:
    """``"12,13"`` (a button's ``links`` entity) → ``[12, 13]``; junk is dropped."""
    ids: list[int] = []
    for part in str(value or "").replace(" ", "").split(","):
        if part.isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids


def format_links(ids: list[int]) -> str:
    """``[12, 13]`` → ``"12,13"``, the ``links`` entity of a button."""
    return ",".join(str(link_id) for link_id in ids)
