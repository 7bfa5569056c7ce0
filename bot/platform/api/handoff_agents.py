"""The support console's endpoints (docs/handoff-contract.md, "Agent API").

The console page is served by the gateway, which checks the agent's own session cookie
and CSRF token, then calls these with the internal token and the agent's id
(``X-Agent-Id``). Agents see every organization's handoffs.

* ``POST /internal/agents/login`` — the agent, or 401 ``bad_login`` (one answer for an
  unknown e-mail and a wrong password).
* ``POST /internal/agents/{id}/online`` — online or offline.
* ``GET /internal/handoffs?state=waiting,taken`` — the queue, oldest first (a handoff
  moved to SMS at the user's request carries ``sms_callback``, the phone masked).
* ``GET /internal/handoffs/{id}`` — a handoff with its packet and messages.
* ``POST /internal/handoffs/{id}/take`` — 200, or 409 ``already_taken`` with the holder.
* ``POST /internal/handoffs/{id}/return`` / ``…/close`` — the holder only (409
  ``not_yours``, ``not_open``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status

from bot.platform.api.deps import DbSession, require_internal
from bot.platform.api.handoff_schemas import (
    AgentOut,
    HandoffDetailOut,
    HandoffOut,
    LoginIn,
    MessageOut,
    OnlineIn,
    handoff_error,
)
from bot.platform.api.schemas import ErrorOut
from bot.platform.models import HANDOFF_STATES, utcnow
from bot.platform.services import agents, handoffs
from bot.platform.services.errors import ServiceError
from bot.platform.services.handoff_errors import UnknownAgent
from bot.platform.services.handoff_queue import get_handoff, messages_of, queue

router = APIRouter(
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    tags=["internal", "handoff", "console"],
)

AgentId = Annotated[int, Header(alias="X-Agent-Id", description="the agent acting")]


@router.post("/internal/agents/login", response_model=AgentOut)
def login(body: LoginIn, session: DbSession) -> AgentOut:
    """Check an agent's e-mail and password; 401 ``bad_login`` for either being wrong."""
    agent = agents.check_login(session, body.email, body.password)
    if agent is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail={"code": "bad_login"})
    return AgentOut.of(agent)


@router.post("/internal/agents/{agent_id}/online", response_model=AgentOut)
def set_online(agent_id: int, body: OnlineIn, session: DbSession) -> AgentOut:
    """Mark the agent online (taking conversations) or offline; 404 ``unknown_agent``."""
    agent = agents.set_online(session, agent_id, body.online)
    if agent is None:
        raise handoff_error(UnknownAgent())
    return AgentOut.of(agent)


@router.get("/internal/handoffs", response_model=list[HandoffOut])
def handoff_queue(
    session: DbSession,
    state: Annotated[str, Query(description="comma-separated states")] = "waiting,taken",
) -> list[HandoffOut]:
    """Every organization's handoffs in these states, oldest first."""
    states = [name.strip() for name in state.split(",") if name.strip()]
    unknown = [name for name in states if name not in HANDOFF_STATES]
    if unknown or not states:
        raise HTTPException(
            status_code=422,
            detail={"code": "bad_state", "value": ",".join(unknown), "valid": list(HANDOFF_STATES)},
        )
    now = utcnow()
    return [HandoffOut.of(handoff, now) for handoff in queue(session, states)]


@router.get("/internal/handoffs/{handoff_id}", response_model=HandoffDetailOut)
def handoff_detail(handoff_id: int, session: DbSession) -> HandoffDetailOut:
    """A handoff with its packet (redacted) and its messages, oldest first."""
    try:
        handoff = get_handoff(session, handoff_id)
    except ServiceError as exc:
        raise handoff_error(exc) from None
    messages = [MessageOut.of(message) for message in messages_of(session, handoff.id)]
    return HandoffDetailOut.of(handoff, utcnow(), packet=handoff.packet, messages=messages)


@router.post("/internal/handoffs/{handoff_id}/take", response_model=HandoffOut)
def take(handoff_id: int, agent_id: AgentId, session: DbSession) -> HandoffOut:
    """Take a waiting handoff; 409 ``already_taken`` (with ``agent``) when another has it."""
    try:
        handoff = handoffs.take(session, handoff_id, agent_id)
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    return HandoffOut.of(handoff, utcnow())


@router.post("/internal/handoffs/{handoff_id}/return", response_model=HandoffOut)
def hand_back(handoff_id: int, agent_id: AgentId, session: DbSession) -> HandoffOut:
    """The holder hands the conversation back to the assistant (``returned``)."""
    return _end(session, handoff_id, agent_id, "returned")


@router.post("/internal/handoffs/{handoff_id}/close", response_model=HandoffOut)
def close(handoff_id: int, agent_id: AgentId, session: DbSession) -> HandoffOut:
    """The holder closes the conversation (``closed``)."""
    return _end(session, handoff_id, agent_id, "closed")


def _end(session: DbSession, handoff_id: int, agent_id: int, state: str) -> HandoffOut:
    try:
        handoff = handoffs.end(session, handoff_id, agent_id, state)
    except ServiceError as exc:
        session.rollback()
        raise handoff_error(exc) from None
    return HandoffOut.of(handoff, utcnow())
