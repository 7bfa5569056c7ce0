"""Live-order endpoints for the caller (identity token): list, look up, cancel, remove.

See docs/orders-contract.md: 403 ``forbidden`` for an order of another organization or
unknown (one answer for both), 403 ``not_allowed`` with ``who_can`` for a user who may
not cancel orders. A cancellation runs once per order, whoever asks and however often.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from bot.platform.api.deps import ConfirmedUser, CurrentUser, DbSession, State
from bot.platform.api.errors import http_error
from bot.platform.api.schemas import ErrorOut
from bot.platform.services import order_cancel, order_cancel_views
from bot.platform.services.errors import ServiceError

router = APIRouter(
    prefix="/api/v1/orders",
    responses={
        401: {"model": ErrorOut, "description": "unauthorized"},
        403: {
            "model": ErrorOut,
            "description": "forbidden (an order of another organization, or unknown), or"
            " not_allowed with who_can (the caller may not cancel orders)",
        },
    },
    tags=["orders"],
)

REF = Path(..., max_length=40, description="the provider's order number, e.g. DD-1001 (any case)")
LANG = Query(None, description="en, fr or es; default: the caller's language")


class ReasonOut(BaseModel):
    """A cancellation reason of the order's provider."""

    key: str
    label: str


class OrderOut(BaseModel):
    """A live order's summary and whether it can be cancelled through us."""

    ref: str
    provider: str
    provider_key: str
    location: str
    brand: str
    status: str = Field(description="accepted, preparing, ready, delivered, fulfilled, cancelled")
    placed_at: datetime = Field(description="in the location's time zone")
    timezone: str
    cancellable: bool
    refusal: str | None = Field(
        description="null (cancellable), delivered, fulfilled, cancelled or not_supported"
    )
    phone: str | None = Field(None, description="the provider's cancellation line (not_supported)")
    reasons: list[ReasonOut] = Field(description="the provider's reasons (cancellable only)")
    cancel_reason: ReasonOut | None = None
    cancelled_at: datetime | None = None
    removed_from_active: bool


class OrderListOut(BaseModel):
    """The caller's organization's orders that are not finished, newest first."""

    provider: str | None
    orders: list[OrderOut]


class CancelIn(BaseModel):
    """Cancel the order with one of its provider's reasons (after the user confirmed)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=64)
    request_id: str | None = Field(None, max_length=64, description="the Confirm button's id")
    lang: str | None = None


class RemoveIn(BaseModel):
    """Remove a cancelled order from the active orders list."""

    model_config = ConfigDict(extra="forbid")

    request_id: str | None = Field(None, max_length=64)
    lang: str | None = None


class OutcomeOut(BaseModel):
    """What a cancellation or removal request did, and the order as it is now."""

    order: OrderOut
    outcome: str = Field(
        description="cancelled, already_cancelled, failed, in_progress; removed, already_removed"
    )
    error: str | None = Field(None, description="the provider's error code (failed only)")
    replayed: bool = Field(description="true when an earlier request did it")


def _order_out(view: order_cancel_views.OrderView) -> OrderOut:
    return OrderOut.model_validate({**asdict(view), "cancellable": view.cancellable})


def _http_error(exc: ServiceError) -> HTTPException:
    """An order that cannot be cancelled is a 409 (with the order when it is not
    cancellable); other refusals are answered as everywhere."""
    detail: dict[str, object] = {"code": exc.code}
    if isinstance(exc, order_cancel.NotCancellable):
        detail["refusal"] = exc.order.refusal
        detail["order"] = _order_out(exc.order).model_dump(mode="json")
        return HTTPException(status_code=status.HTTP_409_CONFLICT, detail=detail)
    if isinstance(exc, order_cancel.NotCancelled):
        return HTTPException(status_code=status.HTTP_409_CONFLICT, detail=detail)
    return http_error(exc, with_value=True)


@router.get("", response_model=OrderListOut)
def list_orders(
    user: CurrentUser,
    session: DbSession,
    provider: str | None = Query(None, description="display name or alias, e.g. DoorDash"),
    limit: int = Query(5, ge=1, le=order_cancel_views.MAX_LIST),
    lang: str | None = LANG,
) -> OrderListOut:
    """The caller's recent orders that are not delivered, fulfilled or cancelled.

    For users who may cancel orders; 422 ``unknown_provider`` for an unknown provider.
    """
    try:
        name, views = order_cancel_views.recent_orders(
            session, user, provider=provider, limit=limit, lang=lang
        )
    except ServiceError as exc:
        raise _http_error(exc) from None
    return OrderListOut(provider=name, orders=[_order_out(view) for view in views])


@router.get("/{order_ref}", response_model=OrderOut)
def get_order(
    user: CurrentUser, session: DbSession, order_ref: str = REF, lang: str | None = LANG
) -> OrderOut:
    """One order's summary, whether it can be cancelled through us, and its reasons.

    The refusal follows the guide's order: delivered or fulfilled (or already
    cancelled), then a provider that cancels only by phone (``phone``).
    """
    try:
        view = order_cancel_views.order_view(session, user, order_ref, lang)
    except ServiceError as exc:
        raise _http_error(exc) from None
    return _order_out(view)


@router.post("/{order_ref}/cancel", response_model=OutcomeOut)
def cancel(
    body: CancelIn, user: ConfirmedUser, session: DbSession, state: State, order_ref: str = REF
) -> OutcomeOut:
    """Cancel the order at its provider with ``reason``, once.

    A repeated or concurrent request gets the first one's answer (``replayed``); a
    provider failure answers ``failed`` with its ``error`` and changes nothing. 409
    ``not_cancellable`` (with ``refusal`` and ``order``); 422 ``unknown_reason``.
    """
    try:
        done = order_cancel.cancel_order(
            session,
            state.settings,
            user,
            order_ref,
            body.reason,
            request_id=body.request_id,
            lang=body.lang,
        )
    except ServiceError as exc:
        raise _http_error(exc) from None
    return OutcomeOut(
        order=_order_out(done.order), outcome=done.outcome, error=done.error, replayed=done.replayed
    )


@router.post("/{order_ref}/remove", response_model=OutcomeOut)
def remove(
    body: RemoveIn, user: CurrentUser, session: DbSession, order_ref: str = REF
) -> OutcomeOut:
    """Remove a cancelled order from the active orders list (409 ``not_cancelled``)."""
    try:
        done = order_cancel.remove_from_active(
            session, user, order_ref, request_id=body.request_id, lang=body.lang
        )
    except ServiceError as exc:
        raise _http_error(exc) from None
    return OutcomeOut(
        order=_order_out(done.order), outcome=done.outcome, error=done.error, replayed=done.replayed
    )
