"""Human handoff: support agents, the conversations handed to them, and their messages.

A handoff is ``waiting`` until an agent takes it (``taken``), then ``returned`` to the
assistant or ``closed``; a waiting one the user stops waiting for is ``cancelled``. At
most one handoff per conversation is open (``waiting`` or ``taken``): a partial unique
index on both SQLite and PostgreSQL. See ``docs/handoff-contract.md``.

Agents are demo data (kept by the demo restore, set offline); handoffs and their
messages are runtime state (``info={"demo_reset": True}``): restoring the demo empties them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.organization import Organization, User

HANDOFF_CHANNELS: tuple[str, ...] = ("web", "telegram", "sms")
HANDOFF_REASONS: tuple[str, ...] = ("asked", "fallbacks", "action_failed", "agent")
HANDOFF_STATES: tuple[str, ...] = ("waiting", "taken", "returned", "closed", "cancelled")
OPEN_HANDOFF_STATES: tuple[str, ...] = ("waiting", "taken")
MESSAGE_SENDERS: tuple[str, ...] = ("user", "agent", "system")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_OPEN = f"state IN ({_sql_list(OPEN_HANDOFF_STATES)})"


class Agent(Base):
    """A support agent who logs in to the console (password: an argon2id hash)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class Handoff(Base):
    """A conversation handed to a person (at most one open per conversation)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(f"channel IN ({_sql_list(HANDOFF_CHANNELS)})", name="channel"),
        CheckConstraint(f"reason IN ({_sql_list(HANDOFF_REASONS)})", name="reason"),
        CheckConstraint(f"state IN ({_sql_list(HANDOFF_STATES)})", name="state"),
        CheckConstraint("state = 'waiting' OR state = 'cancelled' OR agent_id IS NOT NULL",
                        name="holder"),
        # At most one waiting/taken handoff per conversation: opening twice opens one.
        Index(
            "uq_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
        Index("ix_handoffs_state_created_at", "state", "created_at"),
        {"info": {"demo_reset": True}},
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    packet: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship()
    agent: Mapped[Agent | None] = relationship()


class HandoffMessage(Base):
    """One message of a handoff: the user's, an agent's, or a system note (redacted text)."""

    __tablename__ = "handoff_messages"
    __table_args__ = (
        CheckConstraint(f"sender IN ({_sql_list(MESSAGE_SENDERS)})", name="sender"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(8))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Agent | None] = relationship()
