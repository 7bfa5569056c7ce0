"""How the services' refusals become HTTP answers (one mapping for every API module)."""

from __future__ import annotations

from fastapi import HTTPException, status

from bot.platform.api.schemas import ErrorOut
from bot.platform.providers.catalog import get_catalog
from bot.platform.providers.deadline import ProviderNotResponding
from bot.platform.services.errors import (
    Forbidden,
    NoPairing,
    NoPendingCode,
    NotAllowed,
    NotBroken,
    NotPortalSteps,
    PairingLocked,
    PortalSteps,
    ServiceError,
)

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "unauthorized"},
    403: {
        "model": ErrorOut,
        "description": "forbidden (unknown account, or another organization's), or"
        " not_allowed with who_can (the caller may not manage integrations)",
    },
}


def http_error(exc: ServiceError, *, with_value: bool = False) -> HTTPException:
    """The HTTP answer for a service's refusal.

    Args:
        exc: The refusal.
        with_value: A 422 also names the refused ``value`` and the ``valid`` ones (when
            the refusal has a value).
    """
    detail: dict[str, object] = {"code": exc.code}
    if isinstance(exc, Forbidden):
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
        detail["who_can"] = exc.who_can
    elif isinstance(exc, NotBroken | PortalSteps | NotPortalSteps):
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, PairingLocked):
        code = status.HTTP_423_LOCKED
        detail["locked_until"] = exc.locked_until.isoformat()
    elif isinstance(exc, NoPairing | NoPendingCode):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, ProviderNotResponding):
        code = status.HTTP_504_GATEWAY_TIMEOUT
        info = get_catalog().provider(exc.value or "")
        detail["provider"] = info.name if info else exc.value
    else:
        code = 422
        if with_value and exc.value is not None:
            detail.update(value=exc.value, valid=exc.valid)
    return HTTPException(status_code=code, detail=detail)
