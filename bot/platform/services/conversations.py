"""Live conversations: the gateway reports a user's activity, agents list who is talking.

:func:`record_seen` upserts one conversation (the gateway calls it, throttled, after an
identified user's message); :func:`live_conversations` lists the conversations whose
user wrote in the last minutes, newest first, each with its open handoff if it has one
(the console offers to take only those without).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from bot.platform.models import OPEN_HANDOFF_STATES, Conversation, Handoff, User


@dataclass(frozen=True)
class LiveConversation:
    """A conversation whose user wrote recently, and its open handoff (or None)."""

    conversation: Conversation
    open_handoff: Handoff | None


def record_seen(
    session: Session, user: User, conversation_id: str, channel: str, language: str, now: datetime
) -> Conversation:
    """The user wrote in ``conversation_id`` at ``now``: create or refresh its row.

    The organization is the user's; ``channel`` and ``language`` are the latest seen.
    One statement (an insert that updates the row when it exists), so two gateway
    processes reporting the same new conversation at once, or a row deleted meanwhile,
    leave one row rather than an error. Commits.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {
        "organization_id": user.organization_id,
        "user_id": user.id,
        "channel": channel,
        "language": language,
        "last_message_at": now,
    }
    statement = insert(Conversation).values(
        conversation_id=conversation_id, created_at=now, **values
    )
    later = case(
        (
            Conversation.last_message_at > statement.excluded.last_message_at,
            Conversation.last_message_at,
        ),
        else_=statement.excluded.last_message_at,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Conversation.conversation_id], set_={**values, "last_message_at": later}
        )
    )
    session.commit()
    conversation = session.get(Conversation, conversation_id, populate_existing=True)
    assert conversation is not None  # just written
    return conversation


def live_conversations(session: Session, now: datetime, minutes: int) -> list[LiveConversation]:
    """Conversations with a user message in the last ``minutes`` before ``now``, newest
    first, each with its open (``waiting`` / ``taken``) handoff, if any."""
    statement = (
        select(Conversation)
        .options(joinedload(Conversation.organization), joinedload(Conversation.user))
        .where(Conversation.last_message_at >= now - timedelta(minutes=minutes))
        .order_by(Conversation.last_message_at.desc(), Conversation.conversation_id)
    )
    conversations = list(session.scalars(statement).all())
    if not conversations:
        return []
    ids = [conversation.conversation_id for conversation in conversations]
    open_ones = session.scalars(
        select(Handoff).where(
            Handoff.conversation_id.in_(ids), Handoff.state.in_(OPEN_HANDOFF_STATES)
        )
    ).all()
    by_conversation = {handoff.conversation_id: handoff for handoff in open_ones}
    return [
        LiveConversation(conversation, by_conversation.get(conversation.conversation_id))
        for conversation in conversations
    ]
