"""Reading handoffs: the open one of a conversation, the agents' queue (every
organization's), a handoff's messages, how long its user waited, whether support is
available now, and whether the user can be offered a callback by SMS
(``docs/handoff-contract.md``, ``docs/handoff-callback.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.models import OPEN_HANDOFF_STATES, Handoff, HandoffMessage, User
from bot.platform.services.agents import agents_online
from bot.platform.services.handoff_errors import NoHandoff
from bot.platform.services.sms_opt_outs import InvalidPhone, is_opted_out
from bot.platform.services.support_hours import support_hours
from bot.sms_conversation import SMS_CHANNEL, masked_phone


def availability(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """``open`` (within support hours), ``agents_online``, ``next_open_at`` (when outside)."""
    hours = support_hours(settings)
    return {
        "open": hours.is_open(now),
        "agents_online": agents_online(
            session, within_seconds=settings.agent_presence_seconds, now=now
        ),
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


def can_answer_now(available: dict[str, Any]) -> bool:
    """Whether someone can take a conversation now: within hours and an agent online."""
    return bool(available.get("open")) and int(available.get("agents_online") or 0) > 0


def callback_phone(session: Session, user: User) -> str | None:
    """The user's phone support may text: verified and not opted out of SMS; else None."""
    if not user.phone or not user.phone_verified:
        return None
    try:
        return None if is_opted_out(session, user.phone) else user.phone
    except InvalidPhone:
        return None


def callback_offer(session: Session, handoff: Handoff, available: dict[str, Any]) -> str | None:
    """The masked phone to offer a callback by SMS on (``•••• 0001``), or None.

    Offered when nobody can take the conversation now (outside hours, or no agent
    online), the handoff is still waiting on another channel than SMS, and the user has
    a verified phone that has not opted out.
    """
    if can_answer_now(available) or handoff.state != "waiting" or handoff.channel == SMS_CHANNEL:
        return None
    phone = callback_phone(session, handoff.user)
    return masked_phone(phone) if phone else None


def sms_callback_of(handoff: Handoff) -> dict[str, Any] | None:
    """The callback a handoff was moved to SMS for (``channel``, ``phone`` masked,
    ``from_channel``…), kept in its packet; None for any other handoff."""
    callback = (handoff.packet or {}).get("callback")
    return callback if isinstance(callback, dict) and callback.get("phone") else None
