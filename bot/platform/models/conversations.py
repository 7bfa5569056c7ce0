"""Live conversations: which conversations users are talking in right now.

The gateway reports each identified user's activity (``POST /internal/conversations/seen``,
throttled); the console lists the conversations with a user message in the last
``LIVE_CONVERSATION_MINUTES`` so an agent can take one that never asked for a person.
Runtime state (``info={"demo_reset": True}``): restoring the demo empties it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.organization import Organization, User


class Conversation(Base):
    """One conversation of a user on a channel and when its user last wrote in it."""

    __tablename__ = "conversations"
    __table_args__ = ({"info": {"demo_reset": True}},)

    conversation_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship()
