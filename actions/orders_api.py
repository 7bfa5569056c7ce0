"""The live-order endpoints of the platform API, as the cancel actions call them.

``GET /api/v1/orders`` lists the caller's live orders (newest first, optionally of one
provider); ``GET /api/v1/orders/{ref}`` is one order's summary with whether it can be
cancelled through us and its provider's reasons; ``POST .../cancel`` cancels it once;
``POST .../remove`` takes a cancelled order off the active orders list. The platform
checks the identity, the organization and the permission on every call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.platform_client import PlatformClient

ORDERS_PATH = "/api/v1/orders"
RECENT_LIMIT = 5


def _order_path(ref: str, action: str = "") -> str:
    path = f"{ORDERS_PATH}/{quote(ref.strip(), safe='')}"
    return f"{path}/{action}" if action else path


async def recent_orders(
    client: PlatformClient, token: str | None, provider: str | None, lang: str
) -> dict[str, Any]:
    """``{"provider", "orders"}``: the caller's live orders, newest first.

    Raises:
        PlatformError: ``not_allowed`` (with ``who_can``), ``unknown_provider``.
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    params = {"provider": provider, "limit": RECENT_LIMIT, "lang": lang}
    return await client.get(ORDERS_PATH, token, params)


async def order(client: PlatformClient, token: str | None, ref: str, lang: str) -> dict[str, Any]:
    """One order's summary, ``refusal`` (null when cancellable), ``phone`` and ``reasons``.

    Raises:
        PlatformError: ``not_allowed`` (with ``who_can``), ``forbidden`` (unknown, or
            another organization's order: one answer for both).
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    return await client.get(_order_path(ref), token, {"lang": lang})


async def cancel(
    client: PlatformClient, token: str | None, ref: str, reason: str, request_id: str, lang: str
) -> dict[str, Any]:
    """Cancel the order (after the user pressed Confirm): ``{"order", "outcome", "error"}``.

    Raises:
        PlatformError: as :func:`order`, and ``not_cancellable`` (with ``refusal`` and
            ``order``), ``unknown_reason`` (with ``valid``).
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    body = {"reason": reason, "request_id": request_id, "lang": lang}
    return await client.send("POST", _order_path(ref, "cancel"), token, body)


async def remove(
    client: PlatformClient, token: str | None, ref: str, request_id: str | None, lang: str
) -> dict[str, Any]:
    """Take a cancelled order off the active orders list: ``{"order", "outcome"}``.

    Raises:
        PlatformError: as :func:`order`, and ``not_cancelled``.
        PlatformUnauthorized, PlatformUnavailable: as every platform call.
    """
    body = {"request_id": request_id, "lang": lang}
    return await client.send("POST", _order_path(ref, "remove"), token, body)
