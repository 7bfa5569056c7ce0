"""Internal endpoints of the Telegram and SMS channels, for the gateway
(``Authorization: Bearer <INTERNAL_TOKEN>``; docs/channels-contract.md).

Telegram link codes and links, users by verified phone, SMS opt-outs (STOP / START) and
the receipts that make each inbound webhook processed once. Bad input (a missing field, a
malformed phone, an id that is not an integer) is a 422 with a ``code`` and changes
nothing: ``bad_request`` (with the ``fields`` at fault) or ``invalid_phone``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.schemas import ErrorOut, UserOut
from bot.platform.services import channel_receipts, sms_opt_outs, telegram_links
from bot.platform.services.errors import ServiceError
from bot.platform.services.users import get_user

_INT64_MAX = 2**63 - 1
TelegramUserId = Annotated[StrictInt, Field(ge=1, le=_INT64_MAX)]
ChatId = Annotated[StrictInt, Field(ge=-_INT64_MAX, le=_INT64_MAX)]
Phone = Annotated[str, Field(min_length=1, max_length=64, examples=["+15550000001"])]


class _CodedValidationRoute(APIRoute):
    """A route whose request-validation errors are ``{"detail": {"code": "bad_request",
    "fields": [...]}}`` like every other refusal, not FastAPI's list of errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The default handler, with validation errors answered as ``bad_request``."""
        handler = super().get_route_handler()

        async def coded(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                fields = sorted(
                    {".".join(str(part) for part in error["loc"][1:]) for error in exc.errors()}
                )
                detail = {"code": "bad_request", "fields": [f for f in fields if f]}
                return JSONResponse(status_code=422, content={"detail": detail})

        return coded


router = APIRouter(
    prefix="/internal",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    tags=["internal", "channels"],
    route_class=_CodedValidationRoute,
)


class LinkCodeIn(BaseModel):
    """Who a new Telegram link code is for."""

    user_id: Annotated[StrictInt, Field(ge=1, le=_INT64_MAX)]


class LinkCodeOut(BaseModel):
    """A one-time Telegram link code (12 URL-safe characters) and its expiry."""

    code: str
    expires_at: datetime


class LinkIn(BaseModel):
    """A ``/start <code>`` received from a Telegram account."""

    code: Annotated[str, Field(min_length=1, max_length=64)]
    telegram_user_id: TelegramUserId
    chat_id: ChatId


class ContactLinkIn(BaseModel):
    """The sender's own contact, shared in Telegram."""

    phone: Phone
    telegram_user_id: TelegramUserId
    chat_id: ChatId


class OptOutIn(BaseModel):
    """STOP (``opted_out: true``) or START (``false``) from a phone number."""

    phone: Phone
    opted_out: StrictBool


class OptOutOut(BaseModel):
    """Whether a phone number (E.164) has opted out of SMS."""

    phone: str
    opted_out: bool


class ReceiptIn(BaseModel):
    """An inbound message's id on its channel (Telegram update_id, Twilio MessageSid)."""

    channel: Literal["telegram", "sms"]
    external_id: Annotated[str, Field(min_length=1, max_length=128)]

    @field_validator("external_id", mode="before")
    @classmethod
    def _int_as_text(cls, value: object) -> object:
        """A Telegram ``update_id`` may come as a JSON integer."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ReceiptOut(BaseModel):
    """Whether this was the first receipt of the message (process it) or a duplicate."""

    first: bool


def _error(status_code: int, code: str) -> HTTPException:
    return HTTPException(status_code=status_code, detail={"code": code})


def _invalid(exc: ServiceError) -> HTTPException:
    return _error(422, exc.code)


@router.post("/telegram/link-codes", response_model=LinkCodeOut, status_code=201)
def create_link_code(body: LinkCodeIn, session: DbSession, state: State) -> LinkCodeOut:
    """A one-time code linking a Telegram account to the user (404 ``not_found``).

    Valid ``TELEGRAM_LINK_TTL_SECONDS``; the user's earlier unused codes stop working.
    """
    user = get_user(session, body.user_id)
    if user is None:
        raise _error(status.HTTP_404_NOT_FOUND, "not_found")
    minted = telegram_links.new_link_code(session, state.settings, user)
    return LinkCodeOut(code=minted.code, expires_at=minted.expires_at)


@router.post("/telegram/links", response_model=UserOut)
def link_with_code(body: LinkIn, session: DbSession) -> UserOut:
    """Link the Telegram account with a code; the code is used up (audit-logged).

    A previous link of that Telegram account or of that user is replaced. 404
    ``invalid_code`` for an unknown, expired or used code (nothing changes).
    """
    try:
        user = telegram_links.link_with_code(
            session, body.code, body.telegram_user_id, body.chat_id
        )
    except telegram_links.InvalidCode:
        raise _error(status.HTTP_404_NOT_FOUND, "invalid_code") from None
    return UserOut.of(user)


@router.post("/telegram/links/contact", response_model=UserOut)
def link_with_contact(body: ContactLinkIn, session: DbSession) -> UserOut:
    """Link the Telegram account of the user whose verified phone the contact is.

    The gateway checked that the contact is the sender's own. 404 ``unknown_phone``
    when it is no user's verified phone; 422 ``invalid_phone`` when it is no phone.
    """
    try:
        user = telegram_links.link_with_contact(
            session, body.phone, body.telegram_user_id, body.chat_id
        )
    except telegram_links.UnknownPhone:
        raise _error(status.HTTP_404_NOT_FOUND, "unknown_phone") from None
    except sms_opt_outs.InvalidPhone as exc:
        raise _invalid(exc) from None
    return UserOut.of(user)


@router.get("/telegram/users/{telegram_user_id}", response_model=UserOut)
def telegram_user(
    session: DbSession, telegram_user_id: Annotated[int, Path(ge=1, le=_INT64_MAX)]
) -> UserOut:
    """The user the Telegram account is linked to (404 ``not_found``)."""
    user = telegram_links.linked_user(session, telegram_user_id)
    if user is None:
        raise _error(status.HTTP_404_NOT_FOUND, "not_found")
    return UserOut.of(user)


@router.delete(
    "/telegram/users/{telegram_user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def unlink_telegram(
    session: DbSession, telegram_user_id: Annotated[int, Path(ge=1, le=_INT64_MAX)]
) -> Response:
    """Unlink the Telegram account (audit-logged); 404 ``not_found`` when it is not linked."""
    if not telegram_links.unlink(session, telegram_user_id):
        raise _error(status.HTTP_404_NOT_FOUND, "not_found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/by-phone", response_model=UserOut)
def user_by_phone(session: DbSession, phone: Annotated[str, Query(min_length=1)]) -> UserOut:
    """The user whose **verified** phone this is (404 ``not_found``)."""
    try:
        user = sms_opt_outs.user_by_verified_phone(session, phone)
    except sms_opt_outs.InvalidPhone as exc:
        raise _invalid(exc) from None
    if user is None:
        raise _error(status.HTTP_404_NOT_FOUND, "not_found")
    return UserOut.of(user)


@router.get("/sms/opt-outs", response_model=OptOutOut)
def sms_opt_out(session: DbSession, phone: Annotated[str, Query(min_length=1)]) -> OptOutOut:
    """Whether the phone number said STOP (and not START since)."""
    try:
        normalized = sms_opt_outs.normalize_phone(phone)
        opted_out = sms_opt_outs.is_opted_out(session, normalized)
    except sms_opt_outs.InvalidPhone as exc:
        raise _invalid(exc) from None
    return OptOutOut(phone=normalized, opted_out=opted_out)


@router.post("/sms/opt-outs", response_model=OptOutOut)
def set_sms_opt_out(body: OptOutIn, session: DbSession) -> OptOutOut:
    """Record STOP (``opted_out: true``) or START (``false``) for the phone number."""
    try:
        phone = sms_opt_outs.set_opt_out(session, body.phone, body.opted_out)
    except sms_opt_outs.InvalidPhone as exc:
        raise _invalid(exc) from None
    return OptOutOut(phone=phone, opted_out=body.opted_out)


@router.post(
    "/channels/receipts",
    response_model=ReceiptOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReceiptOut, "description": "a duplicate: drop the message"}},
)
def receive(body: ReceiptIn, session: DbSession, response: Response) -> ReceiptOut:
    """201 ``{"first": true}`` the first time a message id arrives, 200 ``{"first":
    false}`` after: duplicates are processed once, across gateway processes and restarts."""
    first = channel_receipts.record_receipt(session, body.channel, body.external_id)
    if not first:
        response.status_code = status.HTTP_200_OK
    return ReceiptOut(first=first)
