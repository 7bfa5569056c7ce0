"""OTO setup sessions: the one-time page where the retailer ID and token are typed.

The page's link token is kept only as a SHA-256 digest; the retailer ID and token typed
on the page are never kept here (an accepted pair goes to
:class:`bot.platform.models.dispatch.DispatchIntegration`, the token encrypted).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

OTO_SETUP_STATES: tuple[str, ...] = ("open", "succeeded", "failed", "expired")
"""``open``: the link works; the others: the link is used up (or was replaced)."""

OTO_SETUP_OUTCOMES: tuple[str, ...] = (
    "started",
    "saved",
    "invalid",
    "provider_error",
    "expired",
    "superseded",
)
"""What last happened to a setup session."""


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class OtoSetupSession(Base):
    """One OTO setup through a one-time page, started from a conversation."""

    __tablename__ = "oto_setup_sessions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(OTO_SETUP_STATES)})", name="state"),
        CheckConstraint(f"outcome IN ({_sql_list(OTO_SETUP_OUTCOMES)})", name="outcome"),
        Index("ix_oto_setup_sessions_user_conversation", "user_id", "conversation_id"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex, public
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the link token
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str] = mapped_column(String(24), default="started")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
