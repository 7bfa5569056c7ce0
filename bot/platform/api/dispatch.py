"""Dispatch endpoints for the caller (identity token): why an order was not sent to OTO."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict

from bot.platform.api.deps import CurrentUser, DbSession
from bot.platform.api.errors import http_error
from bot.platform.api.schemas import ErrorOut
from bot.platform.services.dispatch import diagnose_dispatch
from bot.platform.services.errors import ServiceError

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "unauthorized"},
    403: {
        "model": ErrorOut,
        "description": "forbidden: the order is unknown, or another organization's",
    },
}

router = APIRouter(prefix="/api/v1/dispatch", responses=ERROR_RESPONSES, tags=["dispatch"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DispatchReasonOut(_Out):
    """A condition the order fails, and what fixes it."""

    code: str  # branch_inactive, not_delivery, no_customer, no_delivery_address, ...
    problem: str
    fix: str


class DispatchDiagnosisOut(_Out):
    """Whether an order was sent to OTO and, when not, every failing condition."""

    order: str
    branch: str
    sent: bool
    reasons: list[DispatchReasonOut]


@router.get("/orders/{order_ref}/diagnosis", response_model=DispatchDiagnosisOut)
def diagnose_order(
    user: CurrentUser,
    session: DbSession,
    order_ref: str = Path(..., description="e.g. F-7002 (any case)"),
    lang: str = Query("en", description="en, fr or es; anything else falls back to en"),
) -> DispatchDiagnosisOut:
    """Why an order of the caller's organization was or was not sent to OTO.

    ``reasons`` lists the failing conditions in the OTO guide's order (branch active,
    delivery order, customer and delivery address, marked Ready, cashier not on it,
    integration set up), each with its problem and fix; it is empty when ``sent``.
    """
    try:
        diagnosis = diagnose_dispatch(session, user, order_ref, lang)
    except ServiceError as exc:
        raise http_error(exc) from None
    return DispatchDiagnosisOut.model_validate(asdict(diagnosis))
