"""Endpoints for the caller (identity token): their profile and their integrations' status."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Query

from bot.platform.api.deps import CurrentCaller, CurrentUser, DbSession
from bot.platform.api.schemas import ErrorOut, MeOut, MessageOut, Permissions, StatusOut
from bot.platform.services.errors import ServiceError
from bot.platform.services.status import integration_status

router = APIRouter(prefix="/api/v1", responses={401: {"model": ErrorOut}})


@router.get("/me", response_model=MeOut, tags=["account"])
def me(caller: CurrentCaller) -> MeOut:
    """The caller's profile: name, language, organization, permissions, and what the
    identity token says about the message (channel, confirmed)."""
    user = caller.user
    message = MessageOut(channel=caller.identity.channel, confirmed=caller.identity.confirmed)
    permissions = Permissions(
        manage_integrations=user.can_manage_integrations,
        cancel_orders=user.can_cancel_orders,
    )
    return MeOut.of(user, permissions=permissions, message=message)


@router.get(
    "/integrations/status",
    response_model=StatusOut,
    responses={
        422: {
            "model": ErrorOut,
            "description": "unknown_provider or unknown_location, with the valid names",
        }
    },
    tags=["integrations"],
)
def status_of_integrations(
    user: CurrentUser,
    session: DbSession,
    provider: str | None = Query(None, description="display name or alias, e.g. UberEats"),
    location: str | None = Query(None, description="a location of the caller's organization"),
    lang: str = Query("en", description="en, fr or es; anything else falls back to en"),
) -> StatusOut:
    """Broken and working provider accounts of the caller's organization, filtered.

    One ``broken`` entry per (account, error type, error case) with its disconnected
    stores and the next step; ``working`` lists accounts with no disconnected store in
    the filter (``connected``: paired but not activated yet).
    """
    try:
        report = integration_status(session, user, provider=provider, location=location, lang=lang)
    except ServiceError as exc:
        raise HTTPException(
            status_code=422,
            detail={"code": exc.code, "value": exc.value, "valid": exc.valid},
        ) from None
    return StatusOut.model_validate(asdict(report))
