"""Handing a conversation to a person and back (``docs/handoff-contract.md``).

A handoff opens ``waiting`` (once per conversation: opening again gives the open one),
an agent takes it (one conditional UPDATE, so of two agents at once exactly one wins),
messages go both ways (redacted), and it ends ``returned`` to the assistant or
``closed`` by its holder, or ``cancelled`` by the user while waiting. While nobody can
take it, a waiting handoff on the web or Telegram can move to the user's SMS
conversation: support texts them back (``docs/handoff-callback.md``). Every change of
state is an audit entry (who, which conversation; never a text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.platform.models import (
    HANDOFF_CHANNELS,
    OPEN_HANDOFF_STATES,
    Agent,
    Handoff,
    HandoffMessage,
    User,
    utcnow,
)
from bot.platform.services.agents import get_agent
from bot.platform.services.audit import record_audit
from bot.platform.services.handoff_errors import (
    AlreadySms,
    AlreadyTaken,
    NoConversation,
    NotOpen,
    NotWaiting,
    NotYours,
    NoVerifiedPhone,
    OtherUsersConversation,
    SmsOptedOut,
    UnknownAgent,
    UnknownChannel,
)
from bot.platform.services.handoff_packet import build_packet
from bot.platform.services.handoff_queue import active_handoff, callback_phone, get_handoff
from bot.platform.services.redaction import redact
from bot.sms_conversation import SMS_CHANNEL, masked_phone, sms_conversation_id

MAX_TEXT_CHARS = 4000


def open_handoff(
    session: Session,
    user: User,
    *,
    conversation_id: str,
    channel: str,
    language: str,
    reason: str,
    transcript: Sequence[dict[str, str]] = (),
    now: datetime | None = None,
) -> tuple[Handoff, bool]:
    """Open a ``waiting`` handoff of the conversation, or find the one open already.

    Returns:
        The handoff, and whether it was created now (False: it was open already).

    Raises:
        NoConversation: No conversation id.
        UnknownChannel: A channel no handoff can be on.
        OtherUsersConversation: The conversation's open handoff is another user's.
    """
    if not conversation_id:
        raise NoConversation()
    if channel not in HANDOFF_CHANNELS:
        raise UnknownChannel(channel)
    now = now or utcnow()
    existing = active_handoff(session, conversation_id)
    if existing is None:
        packet = build_packet(
            session, user, channel=channel, language=language, transcript=transcript, now=now
        )
        handoff = Handoff(
            conversation_id=conversation_id,
            organization_id=user.organization_id,
            user_id=user.id,
            channel=channel,
            language=language,
            reason=reason,
            state="waiting",
            packet=packet,
            created_at=now,
        )
        session.add(handoff)
        try:
            session.flush()
        except IntegrityError:  # another request opened it in the meantime
            session.rollback()
            existing = active_handoff(session, conversation_id)
            if existing is None:
                raise
        else:
            _audit(session, handoff, "handoff.open", user_id=user.id, reason=reason)
            session.commit()
            return handoff, True
    if existing.user_id != user.id:
        raise OtherUsersConversation()
    return existing, False


def add_message(
    session: Session,
    handoff_id: int,
    sender: str,
    text: str,
    *,
    agent_id: int | None = None,
    now: datetime | None = None,
) -> HandoffMessage:
    """Store a user's or an agent's message (redacted) on an open handoff.

    Raises:
        NoHandoff, UnknownAgent: Unknown handoff or agent.
        NotOpen: The handoff is over.
        NotYours: An agent's message on a handoff the agent does not hold.
    """
    agent = _agent(session, agent_id) if sender == "agent" else None
    # Locked: a hand-back at the same moment comes before (this is then refused) or after.
    handoff = get_handoff(session, handoff_id, for_update=True)
    if handoff.state not in OPEN_HANDOFF_STATES:
        raise NotOpen()
    if agent is not None and (handoff.state != "taken" or handoff.agent_id != agent.id):
        raise NotYours()
    message = HandoffMessage(
        handoff_id=handoff.id,
        sender=sender,
        agent_id=agent.id if agent else None,
        text=redact(text[:MAX_TEXT_CHARS]),
        created_at=now or utcnow(),
    )
    session.add(message)
    session.commit()
    return message


def take(
    session: Session, handoff_id: int, agent_id: int, *, now: datetime | None = None
) -> Handoff:
    """The agent takes a waiting handoff: one conditional UPDATE, so one agent wins.

    Taking again one's own handoff answers it unchanged.

    Raises:
        NoHandoff, UnknownAgent: Unknown handoff or agent.
        AlreadyTaken: Another agent holds it (who, in the error).
        NotOpen: It is over.
    """
    now = now or utcnow()
    agent = _agent(session, agent_id)
    won = _move(session, handoff_id, ("waiting",), None, state="taken", agent_id=agent.id,
                taken_at=now)  # fmt: skip
    handoff = get_handoff(session, handoff_id)
    if not won:
        if handoff.state == "taken" and handoff.agent_id == agent.id:
            return handoff
        if handoff.state == "taken":
            holder = session.get(Agent, handoff.agent_id) if handoff.agent_id else None
            raise AlreadyTaken(handoff.agent_id, holder.name if holder else None)
        raise NotOpen()
    _note(session, handoff, f"{agent.name} took the conversation.", now)
    _audit(session, handoff, "handoff.take", agent=agent)
    session.commit()
    return handoff


def end(
    session: Session,
    handoff_id: int,
    agent_id: int,
    state: str,
    *,
    now: datetime | None = None,
) -> Handoff:
    """The holder hands the conversation back (``returned``) or closes it (``closed``).

    Raises:
        NoHandoff, UnknownAgent: Unknown handoff or agent.
        NotYours: Another agent holds it, or nobody has taken it.
        NotOpen: It is over.
    """
    now = now or utcnow()
    agent = _agent(session, agent_id)
    done = _move(session, handoff_id, ("taken",), agent.id, state=state, ended_at=now)
    handoff = get_handoff(session, handoff_id)
    if not done:
        raise NotYours() if handoff.state in OPEN_HANDOFF_STATES else NotOpen()
    returned = state == "returned"
    done_text = "handed the conversation back to the assistant" if returned else "closed it"
    _note(session, handoff, f"{agent.name} {done_text}.", now)
    _audit(session, handoff, "handoff.return" if returned else "handoff.close", agent=agent)
    session.commit()
    return handoff


def cancel(session: Session, handoff_id: int, *, now: datetime | None = None) -> Handoff:
    """The user stopped waiting: ``cancelled`` while waiting, ``returned`` once taken.

    Raises:
        NoHandoff: Unknown handoff.
        NotOpen: It is over.
    """
    now = now or utcnow()
    if not _move(session, handoff_id, ("waiting",), None, state="cancelled", ended_at=now):
        if not _move(session, handoff_id, ("taken",), None, state="returned", ended_at=now):
            get_handoff(session, handoff_id)  # NoHandoff when unknown
            raise NotOpen()
    handoff = get_handoff(session, handoff_id)
    _note(session, handoff, "The user stopped waiting and is back with the assistant.", now)
    _audit(session, handoff, "handoff.cancel", user_id=handoff.user_id, result=handoff.state)
    session.commit()
    return handoff


def request_callback(
    session: Session, handoff_id: int, *, now: datetime | None = None
) -> tuple[Handoff, Handoff | None]:
    """The waiting user asked to be texted back: move the handoff to their SMS conversation.

    The handoff's conversation becomes ``sms:<user id>:<digits of the verified phone>``
    and its channel ``sms``; its packet records the callback (``packet["callback"]``:
    ``channel``, ``phone`` masked, ``from_channel``, ``from_conversation_id``). When that
    SMS conversation has an open handoff already, this one is cancelled instead (asking
    twice changes nothing more).

    Returns:
        The handoff (moved, or cancelled), and the SMS conversation's open handoff when it
        had one already (else None).

    Raises:
        NoHandoff: Unknown handoff.
        NotWaiting: An agent has taken it. NotOpen: It is over.
        AlreadySms: It is on SMS already.
        NoVerifiedPhone, SmsOptedOut: The user cannot be texted.
    """
    now = now or utcnow()
    handoff = get_handoff(session, handoff_id, for_update=True)
    if handoff.state == "taken":
        raise NotWaiting()
    if handoff.state != "waiting":
        raise NotOpen()
    if handoff.channel == SMS_CHANNEL:
        raise AlreadySms()
    user = handoff.user
    if not user.phone or not user.phone_verified:
        raise NoVerifiedPhone()
    phone = callback_phone(session, user)
    if phone is None:
        raise SmsOptedOut()
    target = sms_conversation_id(user.id, phone)
    origin = {"from_channel": handoff.channel, "from_conversation_id": handoff.conversation_id}
    callback = {"channel": SMS_CHANNEL, "phone": masked_phone(phone), **origin}
    existing = active_handoff(session, target)
    if existing is None:
        packet = {**(handoff.packet or {}), "callback": callback}
        try:
            moved = _move(
                session,
                handoff_id,
                ("waiting",),
                None,
                conversation_id=target,
                channel=SMS_CHANNEL,
                packet=packet,
            )
        except IntegrityError:  # the SMS conversation opened one in the meantime
            session.rollback()
            if active_handoff(session, target) is None:
                raise
            return request_callback(session, handoff_id, now=now)
        if not moved:
            raise NotWaiting() if get_handoff(session, handoff_id).state == "taken" else NotOpen()
        handoff = get_handoff(session, handoff_id)
        _note(session, handoff, f"Callback by SMS requested ({callback['phone']}).", now)
        _audit(session, handoff, "handoff.callback", user_id=user.id, result="moved", **origin)
        session.commit()
        return handoff, None
    if not _move(session, handoff_id, ("waiting",), None, state="cancelled", ended_at=now):
        raise NotWaiting() if get_handoff(session, handoff_id).state == "taken" else NotOpen()
    handoff = get_handoff(session, handoff_id)
    existing = get_handoff(session, existing.id)
    merged = (
        "Callback by SMS requested: the user's SMS conversation has handoff "
        f"#{existing.id} open already, so this one is cancelled."
    )
    _note(session, handoff, merged, now)
    _note(session, existing, f"The user also asked on {handoff.channel} to be texted back.", now)
    _audit(
        session,
        handoff,
        "handoff.callback",
        user_id=user.id,
        result="merged",
        into_handoff_id=existing.id,
    )
    session.commit()
    return handoff, existing


def _move(
    session: Session,
    handoff_id: int,
    from_states: tuple[str, ...],
    holder: int | None,
    **values: Any,
) -> bool:
    """One conditional UPDATE of the handoff from ``from_states`` (held by ``holder``,
    when given) to ``values``; whether it changed the row. Rolls back when it did not."""
    statement = update(Handoff).where(Handoff.id == handoff_id, Handoff.state.in_(from_states))
    if holder is not None:
        statement = statement.where(Handoff.agent_id == holder)
    result = session.execute(
        statement.values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    session.expire_all()
    return True


def _agent(session: Session, agent_id: int | None) -> Agent:
    agent = get_agent(session, agent_id) if agent_id is not None else None
    if agent is None:
        raise UnknownAgent()
    return agent


def _note(session: Session, handoff: Handoff, text: str, now: datetime) -> None:
    """A system message on the handoff's transcript (what happened, for the console)."""
    session.add(HandoffMessage(handoff_id=handoff.id, sender="system", text=text, created_at=now))


def _audit(
    session: Session,
    handoff: Handoff,
    action: str,
    *,
    agent: Agent | None = None,
    user_id: int | None = None,
    **detail: Any,
) -> None:
    """Audit-log ``action`` on ``handoff``: which conversation, which agent; never a text."""
    facts: dict[str, Any] = {"handoff_id": handoff.id, "conversation_id": handoff.conversation_id}
    if agent is not None:
        facts.update(agent_id=agent.id, agent=agent.name)
    record_audit(
        session,
        organization_id=handoff.organization_id,
        user_id=user_id,
        action=action,
        detail={**facts, **detail},
    )
