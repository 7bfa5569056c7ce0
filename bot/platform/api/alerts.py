"""Alert endpoints for the caller (identity token): their own alert choices, and the
incident of the latest alert they received (docs/alerts-contract.md, "Chat parts").

* ``GET /api/v1/alerts/settings`` — the caller's SMS / e-mail alert choices.
* ``PATCH /api/v1/alerts/settings`` — turn the caller's SMS and/or e-mail alerts on or
  off (a side effect: by SMS it needs the confirmed claim). There is no way to name
  another user: each user manages their own alerts.
* ``GET /api/v1/alerts/latest?channel=sms|email`` — what the most recent alert was about.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from typing_extensions import Self

from bot.platform.api.deps import ConfirmedCaller, CurrentUser, DbSession
from bot.platform.api.errors import http_error
from bot.platform.api.schemas import ErrorOut
from bot.platform.services import alert_lookup, alert_settings
from bot.platform.services.errors import ServiceError

router = APIRouter(
    prefix="/api/v1/alerts",
    responses={401: {"model": ErrorOut, "description": "unauthorized"}},
    tags=["alerts"],
)


class AlertSettingsOut(BaseModel):
    """The caller's own alert choices."""

    sms: bool = Field(description="SMS alerts on")
    email: bool = Field(description="e-mail alerts on")
    phone_verified: bool = Field(description="the caller has a verified phone")
    sms_stopped: bool = Field(description="that phone texted STOP (START turns SMS back on)")
    quiet_start: str | None = Field(description='quiet hours start, local "HH:MM"')
    quiet_end: str | None = Field(description='quiet hours end, local "HH:MM"')


class AlertSettingsChangeOut(AlertSettingsOut):
    """The caller's alert choices after a change, and what it changed."""

    changed: list[Literal["sms", "email"]] = Field(
        description="the channels whose choice changed (empty when nothing did)"
    )


class AlertSettingsIn(BaseModel):
    """Turn the caller's SMS and/or e-mail alerts on (true) or off (false)."""

    model_config = ConfigDict(extra="forbid")

    sms: StrictBool | None = None
    email: StrictBool | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Self:
        if self.sms is None and self.email is None:
            raise ValueError("give sms and/or email")
        return self


class LatestAlertOut(BaseModel):
    """The incident of the most recent alert sent to the caller."""

    incident_id: int
    state: Literal["pending", "open", "flapped", "resolved"] = Field(
        description="flapped / resolved: the link works again"
    )
    provider: str = Field(description="display name, e.g. Just Eat")
    account_id: str = Field(description="the provider account to repair, e.g. je-main")
    account_label: str
    location: str
    brand: str
    error_type: str
    error_case: str | None
    opened_at: datetime
    channel: Literal["sms", "email"] = Field(description="the channel the alert came by")


@router.get("/settings", response_model=AlertSettingsOut)
def get_alert_settings(user: CurrentUser, session: DbSession) -> AlertSettingsOut:
    """The caller's alert choices (``sms_stopped``: their number texted STOP)."""
    settings = alert_settings.alert_settings(session, user)
    return AlertSettingsOut.model_validate(asdict(settings))


@router.patch(
    "/settings",
    response_model=AlertSettingsChangeOut,
    responses={
        403: {"model": ErrorOut, "description": "confirmation_required (SMS without the code)"},
        409: {"model": ErrorOut, "description": "no_verified_phone, sms_stopped"},
        422: {"description": "no field given, an unknown field, or a value that is no bool"},
    },
)
def patch_alert_settings(
    body: AlertSettingsIn, caller: ConfirmedCaller, session: DbSession
) -> AlertSettingsChangeOut:
    """Turn the caller's own SMS and/or e-mail alerts on or off (an audit entry per change).

    A refusal changes nothing: 409 ``no_verified_phone`` (SMS on without a verified
    phone), 409 ``sms_stopped`` (SMS on for a number that texted STOP: text START first).
    """
    try:
        settings = alert_settings.update_alert_settings(
            session, caller.user, sms=body.sms, email=body.email, channel=caller.identity.channel
        )
    except ServiceError as exc:
        session.rollback()
        raise _refusal(exc) from None
    return AlertSettingsChangeOut.model_validate(asdict(settings))


@router.get(
    "/latest",
    response_model=LatestAlertOut,
    responses={404: {"model": ErrorOut, "description": "no_alert"}},
)
def get_latest_alert(
    user: CurrentUser,
    session: DbSession,
    channel: Literal["sms", "email"] | None = Query(
        None, description="the channel to prefer (the one the user is writing from)"
    ),
) -> LatestAlertOut:
    """The incident of the most recent alert sent to the caller within 7 days.

    Alerts of ``channel`` come first, then any channel; newest first. 404 ``no_alert``
    when there is none.
    """
    try:
        latest = alert_lookup.latest_alert(session, user, channel)
    except ServiceError as exc:
        raise _refusal(exc) from None
    return LatestAlertOut.model_validate(asdict(latest))


def _refusal(exc: ServiceError) -> HTTPException:
    """This module's refusals (409, 404), else the shared mapping."""
    if isinstance(exc, alert_settings.SETTINGS_REFUSALS):
        return HTTPException(status_code=status.HTTP_409_CONFLICT, detail={"code": exc.code})
    if isinstance(exc, alert_lookup.NoAlert):
        return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": exc.code})
    return http_error(exc)
