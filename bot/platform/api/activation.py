"""Activation endpoints for the caller (identity token): what can be activated, and doing it.

See docs/orders-contract.md: 403 ``forbidden`` for a link of another organization or
unknown, 403 ``not_allowed`` with ``who_can`` for a user who may not manage integrations.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from bot.platform.api.deps import ConfirmedUser, CurrentUser, DbSession, State
from bot.platform.api.errors import http_error
from bot.platform.api.schemas import ErrorOut
from bot.platform.services import activation
from bot.platform.services.errors import ServiceError

router = APIRouter(
    prefix="/api/v1/activation",
    responses={
        401: {"model": ErrorOut, "description": "unauthorized"},
        403: {
            "model": ErrorOut,
            "description": "forbidden (a link of another organization, or unknown), or"
            " not_allowed with who_can (the caller may not manage integrations)",
        },
        422: {"model": ErrorOut, "description": "unknown_provider / unknown_location, no_links"},
    },
    tags=["activation"],
)


class LinkOut(BaseModel):
    """A store link as activation shows it (``reason``: null when it can be activated)."""

    model_config = ConfigDict(from_attributes=True)

    link_id: int
    account_id: str
    account: str
    provider: str
    location: str
    brand: str
    reason: str | None = Field(
        description="null (can be activated), disconnected, awaiting_qa or already_active"
    )
    error_type: str | None = None
    problem: str | None = Field(None, description="what is wrong (disconnected only)")
    fix: str | None = Field(None, description="reconnect or portal_steps (disconnected only)")


class OverviewOut(BaseModel):
    """The caller's links for a provider (or all), by what activation can do with them."""

    provider: str | None
    location: str | None
    activatable: list[LinkOut]
    blocked: list[LinkOut]
    active: list[LinkOut]


class ActivateIn(BaseModel):
    """Activate these store links (after the user confirmed the warning)."""

    model_config = ConfigDict(extra="forbid")

    links: list[int] = Field(min_length=1, max_length=activation.MAX_LINKS)
    request_id: str | None = Field(None, max_length=64, description="the Confirm button's id")
    lang: str | None = Field(None, description="en, fr or es; default: the caller's language")


class OutcomeOut(BaseModel):
    """What happened to one link."""

    link: LinkOut
    outcome: str = Field(
        description="activated, already_active, failed, not_activatable or in_progress"
    )
    error: str | None = Field(None, description="the provider's error code (failed only)")
    replayed: bool = Field(description="true when an earlier request did the activation")


class ActivateOut(BaseModel):
    """One outcome per link, in the order of the links' provider, location and brand."""

    results: list[OutcomeOut]


@router.get("/locations", response_model=OverviewOut)
def activation_locations(
    user: CurrentUser,
    session: DbSession,
    provider: str | None = Query(None, description="display name or alias, e.g. DoorDash"),
    location: str | None = Query(None, description="a location of the caller's organization"),
    lang: str | None = Query(None, description="en, fr or es; default: the caller's language"),
) -> OverviewOut:
    """The store links that can be activated, those that cannot (with why), and active ones.

    A link can be activated when it is connected, passed the provider's QA and is not
    activated yet.
    """
    try:
        overview = activation.activation_overview(
            session, user, provider=provider, location=location, lang=lang
        )
    except ServiceError as exc:
        raise http_error(exc, with_value=True) from None
    return OverviewOut.model_validate(asdict(overview))


@router.post("", response_model=ActivateOut)
def activate(
    body: ActivateIn, user: ConfirmedUser, session: DbSession, state: State
) -> ActivateOut:
    """Activate store links: we become the provider's primary order manager there.

    Each link is activated once (a repeated or concurrent request gets the same answer,
    ``replayed``); a link that cannot be activated gets its reason, nothing else.
    """
    try:
        outcomes = activation.activate_links(
            session,
            state.settings,
            user,
            body.links,
            request_id=body.request_id,
            lang=body.lang,
        )
    except ServiceError as exc:
        raise http_error(exc, with_value=True) from None
    return ActivateOut.model_validate({"results": [asdict(outcome) for outcome in outcomes]})
