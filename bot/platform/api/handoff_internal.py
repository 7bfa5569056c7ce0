"""Handoff endpoints for the gateway (``Authorization: Bearer <INTERNAL_TOKEN>``;
docs/handoff-contract.md, "Platform internal API").

* ``POST /internal/handoffs`` — open a handoff of a conversation (later increments'
  triggers): 201 new, 200 open already; with ``availability``.
* ``GET /internal/handoffs/active?conversation_id=`` — the open handoff, or 404 ``no_handoff``.
* ``POST /internal/handoffs/{id}/messages`` — store a user's message (or the holder's,
  with ``X-Agent-Id``), redacted: 201; 409 ``not_open`` / ``not_yours``.
* ``POST /internal/handoffs/{id}/cancel`` — the user stopped waiting: ``cancelled``, or
  ``returned`` when an agent had it; 409 ``not_open`` otherwise.
* ``POST /internal/handoffs/{id}/callback`` — the waiting user asked to be texted back:
  the handoff moves to their SMS conversation (or is cancelled when that one has an open
  handoff already); 409 ``not_waiting``, ``not_open``, ``already_sms``,
  ``no_verified_phone``, ``sms_opted_out`` (nothing changed).

The agents' endpoints (queue, take, return, close, login) are in
:mod:`bot.platform.api.handoff_agents`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response, status

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.handoff import open_answer
from bot.platform.api.handoff_schemas import (
    HandoffCallbackOut,
    HandoffOpenOut,
    HandoffOut,
    InternalHandoffOpenIn,
    MessageIn,
    MessageOut,
    handoff_error,
)
from bot.platform.api.schemas import ErrorOut
from bot.platform.models import utcnow
from bot.platform.services import handoffs
from bot.platform.services.errors import ServiceError
from bot.platform.services.handoff_errors import NoHandoff
from bot.platform.services.handoff_queue import active_handoff
from bot.platform.services.users import get_user
from bot.sms_conversation import masked_phone

router = APIRouter(
    prefix="/internal/handoffs",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    tags=["internal", "handoff"],
)

AgentHeader = Annotated[int | None, Header(alias="X-Agent-Id", description="the agent")]


@router.post("", response_model=HandoffOpenOut, status_code=status.HTTP_201_CREATED)
def open_handoff(
    body: InternalHandoffOpenIn, session: DbSession, state: State, response: Response
) -> HandoffOpenOut:
    """Hand a conversation to a person (idempotent per conversation); 404 ``not_found``
    for an unknown user."""
    user = get_user(session, body.user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})
    return open_answer(session, state, response, body, user, body.conversation_id, body.channel)


@router.get("/active", response_model=HandoffOut)
def active(
    session: DbSession,
    conversation_id: Annotated[str, Query(min_length=1, max_length=200)],
) -> HandoffOut:
    """The conversation's open (``waiting`` / ``taken``) handoff; 404 ``no_handoff``."""
    handoff = active_handoff(session, conversation_id)
    if handoff is None:
        raise handoff_error(NoHandoff())
    return HandoffOut.of(handoff, utcnow())


@router.post(
    "/{handoff_id}/messages", response_model=MessageOut, status_code=status.HTTP_201_CREATED
)
def add_message(
    handoff_id: int, body: MessageIn, session: DbSession, agent_id: AgentHeader = None
) -> MessageOut:
    """Store a message (redacted). An agent's needs ``X-Agent-Id`` of the holder."""
    if body.sender == "agent" and agent_id is None:
        raise HTTPException(status_code=422, detail={"code": "agent_required"})
    try:
        message = handoffs.add_message(
            session, handoff_id, body.sender, body.text, agent_id=agent_id
        )
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    return MessageOut.of(message)


@router.post("/{handoff_id}/cancel", response_model=HandoffOut)
def cancel(handoff_id: int, session: DbSession) -> HandoffOut:
    """The user stopped waiting: ``cancelled`` (``returned`` if an agent had taken it)."""
    try:
        handoff = handoffs.cancel(session, handoff_id)
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    return HandoffOut.of(handoff, utcnow())


@router.post("/{handoff_id}/callback", response_model=HandoffCallbackOut)
def callback(handoff_id: int, session: DbSession) -> HandoffCallbackOut:
    """The waiting user asked to be texted back: move the handoff to their SMS
    conversation, or cancel it when that conversation has an open one already."""
    try:
        handoff, existing = handoffs.request_callback(session, handoff_id)
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    on_sms = existing or handoff
    return HandoffCallbackOut.of(
        handoff,
        utcnow(),
        outcome="merged" if existing is not None else "moved",
        phone=masked_phone(handoff.user.phone or ""),
        sms_conversation_id=on_sms.conversation_id,
        sms_handoff_id=on_sms.id,
    )
