"""Reading handoffs: the open one of a conversation, the agents' queue (every
organization's), a handoff's messages, how long its user waited, and whether support is
available now (``docs/handoff-contract.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import OPEN_HANDOFF_STATES, Handoff, HandoffMessage
from bot.platform.services.agents import agents_online
from bot.platform.services.handoff_errors import NoHandoff
from bot.platform.services.support_hours import support_hours


def availability(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """``open`` (within support hours), ``agents_online``, ``next_open_at`` (when outside)."""
    hours = support_hours(settings)
    return {
        "open": hours.is_open(now),
        "agents_online": agents_online(session),
        "next_open_at": hours.next_open_at(now),
    }


def active_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's open (``waiting`` / ``taken``) handoff, if any."""
    statement = select(Handoff).where(
        Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_HANDOFF_STATES)
    )
    return session.scalar(statement)


def get_handoff(session: Session, handoff_id: int, *, for_update: bool = False) -> Handoff:
    """The handoff ``handoff_id`` (its row locked until the transaction ends when
    ``for_update``, on PostgreSQL); raises :class:`NoHandoff`."""
    handoff = session.get(Handoff, handoff_id, with_for_update=for_update or None)
    if handoff is None:
        raise NoHandoff()
    return handoff


def queue(session: Session, states: Sequence[str] = OPEN_HANDOFF_STATES) -> list[Handoff]:
    """Every organization's handoffs in ``states``, oldest first (agents see them all)."""
    statement = (
        select(Handoff)
        .where(Handoff.state.in_(list(states)))
        .order_by(Handoff.created_at, Handoff.id)
    )
    return list(session.scalars(statement).all())


def messages_of(session: Session, handoff_id: int) -> list[HandoffMessage]:
    """The handoff's messages, oldest first."""
    statement = (
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff_id)
        .order_by(HandoffMessage.created_at, HandoffMessage.id)
    )
    return list(session.scalars(statement).all())


def waiting_seconds(handoff: Handoff, now: datetime) -> int:
    """How long the user waited for a person: until taken (or ended, or now)."""
    until = handoff.taken_at or handoff.ended_at or now
    return max(0, int((until - handoff.created_at).total_seconds()))
