"""Handing the caller's conversation to a person (identity token; docs/handoff-contract.md).

* ``POST /api/v1/handoffs`` — open a handoff of the conversation the identity token names
  (conversation, user and channel come from the token, never from the body): 201 with the
  new handoff, or 200 with the one open already; with ``availability`` (within support
  hours? how many agents online? when hours next start) and ``sms_callback`` (the masked
  phone support can text back when nobody can take it now, else null).
* ``GET /api/v1/handoffs/current`` — the caller's conversation's open handoff, or 404
  ``no_handoff``. Nobody reads another conversation's handoff here.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from bot.platform.api.deps import CurrentCaller, DbSession, State
from bot.platform.api.handoff_schemas import (
    HandoffOpenFields,
    HandoffOpenIn,
    HandoffOpenOut,
    HandoffOut,
    handoff_error,
)
from bot.platform.api.schemas import ErrorOut
from bot.platform.api.state import PlatformState
from bot.platform.models import User, utcnow
from bot.platform.services import handoffs
from bot.platform.services.errors import ServiceError
from bot.platform.services.handoff_errors import NoHandoff
from bot.platform.services.handoff_queue import active_handoff, availability, callback_offer

router = APIRouter(
    prefix="/api/v1/handoffs",
    responses={401: {"model": ErrorOut, "description": "unauthorized"}},
    tags=["handoff"],
)


@router.post(
    "",
    response_model=HandoffOpenOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": HandoffOpenOut, "description": "the conversation's open handoff"},
        403: {"model": ErrorOut, "description": "forbidden (another user's conversation)"},
        422: {
            "model": ErrorOut,
            "description": "no_conversation, unknown_channel, a malformed body",
        },
    },
)
def open_handoff(
    body: HandoffOpenIn, caller: CurrentCaller, session: DbSession, state: State, response: Response
) -> HandoffOpenOut:
    """Hand the caller's conversation to a person (idempotent per conversation)."""
    identity = caller.identity
    return open_answer(
        session, state, response, body, caller.user, identity.conversation_id, identity.channel
    )


def open_answer(
    session: Session,
    state: PlatformState,
    response: Response,
    body: HandoffOpenFields,
    user: User,
    conversation_id: str,
    channel: str,
) -> HandoffOpenOut:
    """Open (or find) the conversation's handoff: 201 new, 200 already open, with
    availability; a refusal rolls back and answers its HTTP error. Both open endpoints."""
    now = utcnow()
    try:
        handoff, created = handoffs.open_handoff(
            session,
            user,
            conversation_id=conversation_id,
            channel=channel,
            language=body.language,
            reason=body.reason,
            transcript=[line.model_dump() for line in body.transcript],
            now=now,
        )
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    available = availability(session, state.settings, now)
    offer = callback_offer(session, handoff, available)
    return HandoffOpenOut.of(handoff, now, availability=available, sms_callback=offer)


@router.get(
    "/current",
    response_model=HandoffOut,
    responses={404: {"model": ErrorOut, "description": "no_handoff"}},
)
def current_handoff(caller: CurrentCaller, session: DbSession) -> HandoffOut:
    """The open handoff of the caller's own conversation."""
    handoff = active_handoff(session, caller.identity.conversation_id)
    if handoff is None or handoff.user_id != caller.user.id:
        raise handoff_error(NoHandoff())
    return HandoffOut.of(handoff, utcnow())
