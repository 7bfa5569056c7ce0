"""OTO endpoints for the caller (identity token): settings, setup link, currency, branches.

Reading the settings is open to everyone in the organization; the setup link, the
currency and branch activation need ``may manage integrations`` (403 ``not_allowed``
with ``who_can``). The retailer ID and token are typed on the one-time page only
(``bot.platform.oto_page``), never sent here.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from bot.platform.api.deps import (
    ConfirmedCaller,
    ConfirmedUser,
    CurrentCaller,
    CurrentUser,
    DbSession,
    State,
)
from bot.platform.api.errors import http_error
from bot.platform.api.schemas import ErrorOut
from bot.platform.services import oto_settings, oto_setup
from bot.platform.services.errors import ServiceError, UnknownLocation
from bot.platform.services.oto_errors import NoSetup, NotSetUp, OtoBusy

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "unauthorized"},
    403: {"model": ErrorOut, "description": "not_allowed with who_can"},
}

router = APIRouter(prefix="/api/v1/oto", responses=ERROR_RESPONSES, tags=["oto"])

_LANG = Query("en", description="en, fr or es; anything else falls back to en")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BranchOut(_Out):
    """A location and whether OTO receives its orders."""

    location: str
    active: bool


class SettingsOut(_Out):
    """The organization's OTO settings (never the retailer ID or the token)."""

    set_up: bool
    currency: str | None
    currency_name: str | None
    branches: list[BranchOut]
    may_manage: bool
    who_can: list[str]


class CurrencyOut(_Out):
    """An ISO 4217 currency and its name in the asked language."""

    code: str
    name: str


class CurrencyIn(BaseModel):
    """The currency to save, from a Confirm button (its ``request_id``)."""

    currency: str = Field(max_length=10)
    request_id: str = Field(min_length=1, max_length=100)
    lang: str | None = None


class CurrencyChangeOut(_Out):
    """The currency after the change."""

    currency: str
    name: str
    previous: str | None
    replayed: bool


class BranchIn(BaseModel):
    """The location to mark Active for OTO."""

    location: str = Field(min_length=1, max_length=100)


class BranchChangeOut(_Out):
    """The branch after the activation (``already``: it was active before)."""

    location: str
    active: bool
    already: bool
    replayed: bool


class SetupIn(BaseModel):
    """The language of the setup page."""

    lang: str | None = None


class SetupOut(_Out):
    """Where an OTO setup link stands (``url`` only when it was just created)."""

    setup_id: str
    state: str
    outcome: str
    expires_at: str
    url: str | None = None


def _error(exc: ServiceError) -> HTTPException:
    if isinstance(exc, NotSetUp | OtoBusy):
        return HTTPException(status.HTTP_409_CONFLICT, detail={"code": exc.code})
    if isinstance(exc, NoSetup):
        return HTTPException(status.HTTP_404_NOT_FOUND, detail={"code": exc.code})
    if isinstance(exc, UnknownLocation):
        return HTTPException(422, detail={"code": exc.code, "valid": exc.valid})
    return http_error(exc)


def _setup_out(view: oto_setup.SetupView, url: str | None = None) -> SetupOut:
    return SetupOut(
        setup_id=view.setup_id,
        state=view.state,
        outcome=view.outcome,
        expires_at=view.expires_at.isoformat(),
        url=url,
    )


@router.get("", response_model=SettingsOut)
def read_settings(user: CurrentUser, session: DbSession, lang: str = _LANG) -> SettingsOut:
    """Whether OTO is set up, its currency, which branches are active, and who may change it."""
    return SettingsOut.model_validate(asdict(oto_settings.oto_settings(session, user, lang)))


@router.get(
    "/currencies/{code}",
    response_model=CurrencyOut,
    responses={422: {"model": ErrorOut, "description": "invalid_currency"}},
)
def read_currency(code: str, user: CurrentUser, lang: str = _LANG) -> CurrencyOut:
    """An ISO 4217 code customers can pay with, and its name (422 ``invalid_currency``)."""
    del user  # any identified user may ask
    try:
        found, name = oto_settings.check_currency(code, lang)
    except ServiceError as exc:
        raise _error(exc) from None
    return CurrencyOut(code=found, name=name)


@router.put(
    "/currency",
    response_model=CurrencyChangeOut,
    responses={422: {"model": ErrorOut, "description": "invalid_currency"}},
)
def put_currency(body: CurrencyIn, user: ConfirmedUser, session: DbSession) -> CurrencyChangeOut:
    """Save the currency OTO collects on delivery; once per Confirm (``request_id``)."""
    try:
        change = oto_settings.set_currency(session, user, body.currency, body.request_id, body.lang)
    except ServiceError as exc:
        raise _error(exc) from None
    return CurrencyChangeOut.model_validate(asdict(change))


@router.put(
    "/branches/active",
    response_model=BranchChangeOut,
    responses={
        409: {"model": ErrorOut, "description": "not_set_up: save the retailer ID first"},
        422: {"model": ErrorOut, "description": "unknown_location, with valid names"},
    },
)
def activate_branch(body: BranchIn, user: ConfirmedUser, session: DbSession) -> BranchChangeOut:
    """Mark a location Active for OTO (once; an active one answers ``already``)."""
    try:
        change = oto_settings.activate_branch(session, user, body.location)
    except ServiceError as exc:
        raise _error(exc) from None
    return BranchChangeOut.model_validate(asdict(change))


@router.post("/setups", response_model=SetupOut, status_code=status.HTTP_201_CREATED)
def start_setup(
    body: SetupIn, caller: ConfirmedCaller, session: DbSession, state: State
) -> SetupOut:
    """A one-time page link where the retailer ID and token are typed (never in the chat)."""
    try:
        started = oto_setup.start_setup(
            session, state.settings, caller.user, caller.identity, body.lang
        )
    except ServiceError as exc:
        raise _error(exc) from None
    return _setup_out(started.view, started.url)


@router.get(
    "/setups/current",
    response_model=SetupOut,
    responses={404: {"model": ErrorOut, "description": "no_setup"}},
)
def current_setup(caller: CurrentCaller, session: DbSession) -> SetupOut:
    """The newest setup link the caller asked for from this conversation."""
    try:
        view = oto_setup.current_setup(session, caller.user, caller.identity.conversation_id)
    except ServiceError as exc:
        raise _error(exc) from None
    return _setup_out(view)
