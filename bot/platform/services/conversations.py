"""Live conversations: the gateway reports a user's activity, agents list who is talking.

:func:`record_seen` upserts one conversation (the gateway calls it, throttled, after an
identified user's message); :func:`live_conversations` lists the conversations whose
user wrote in the last minutes, newest first, each with its open handoff if it has one
(the console offers to take only those without).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
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
    Commits.
    """
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(
            conversation_id=conversation_id,
            organization_id=user.organization_id,
            user_id=user.id,
            channel=channel,
            language=language,
            last_message_at=now,
            created_at=now,
        )
        session.add(conversation)
    else:
        conversation.organization_id = user.organization_id
        conversation.user_id = user.id
        conversation.channel = channel
        conversation.language = language
        conversation.last_message_at = max(conversation.last_message_at, now)
    session.commit()
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
