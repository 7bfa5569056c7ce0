"""The OTO services' refusals (each becomes a 4xx with its ``code`` in ``api/oto.py``)."""

from __future__ import annotations

from bot.platform.services.errors import ServiceError


class InvalidCurrencyCode(ServiceError):
    """Not an ISO 4217 code of a currency customers can pay with (HTTP 422)."""

    code = "invalid_currency"


class NotSetUp(ServiceError):
    """No retailer ID and token are saved yet: branches come after them (HTTP 409)."""

    code = "not_set_up"


class NoSetup(ServiceError):
    """The conversation has no OTO setup link (HTTP 404)."""

    code = "no_setup"


class OtoBusy(ServiceError):
    """The same change is still being made by another request (HTTP 409)."""

    code = "busy"
