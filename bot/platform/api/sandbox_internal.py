"""SANDBOX ONLY: queue provider faults and read the calls the sandbox provider received.

Tests and demos use these to make the next activation, cancellation or menu export fail
the way a provider would, and to count how many times the provider was really called.
404 unless ``SANDBOX_CONTROLS`` is on; the internal token is required.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.schemas import ErrorOut
from bot.platform.models import SANDBOX_METHODS, SandboxCall, SandboxFault

router = APIRouter(
    prefix="/internal/sandbox",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    tags=["sandbox"],
)


class FaultIn(BaseModel):
    """A one-shot failure for the next matching sandbox call."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description=f"one of {', '.join(SANDBOX_METHODS)}")
    target: str = Field(
        min_length=1,
        max_length=64,
        description="activate: the store link id; cancel: the order ref; menu_export: the"
        " store id; check: the account id",
    )
    error: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z_]+$",
        description="the error code to answer; hang: no answer for SANDBOX_HANG_SECONDS",
    )


class FaultOut(FaultIn):
    """A queued fault."""

    id: int


class CallOut(BaseModel):
    """A side-effect call the sandbox provider received."""

    model_config = ConfigDict(from_attributes=True)

    provider_key: str
    method: str
    target: str
    idempotency_key: str
    ok: bool
    error: str | None
    created_at: datetime


def _require_sandbox(state: State) -> None:
    if not state.settings.sandbox_controls:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})


@router.post("/faults", response_model=FaultOut, status_code=status.HTTP_201_CREATED)
def queue_fault(body: FaultIn, session: DbSession, state: State) -> FaultOut:
    """Make the next ``method`` call on ``target`` fail with ``error``."""
    _require_sandbox(state)
    if body.method not in SANDBOX_METHODS:
        raise HTTPException(status_code=422, detail={"code": "bad_method"})
    if body.method == "check" and body.error != "hang":
        raise HTTPException(status_code=422, detail={"code": "bad_error"})
    target = body.target.upper() if body.method == "cancel" else body.target
    fault = SandboxFault(method=body.method, target=target, error=body.error)
    session.add(fault)
    session.commit()
    return FaultOut(id=fault.id, method=fault.method, target=fault.target, error=fault.error)


@router.get("/calls", response_model=list[CallOut])
def list_calls(
    session: DbSession,
    state: State,
    method: str | None = Query(None),
    target: str | None = Query(None),
) -> list[CallOut]:
    """The calls received, oldest first, optionally of one method and target."""
    _require_sandbox(state)
    query = select(SandboxCall).order_by(SandboxCall.id)
    if method:
        query = query.where(SandboxCall.method == method)
    if target:
        query = query.where(SandboxCall.target.in_({target, target.upper()}))
    return [CallOut.model_validate(row) for row in session.scalars(query)]
