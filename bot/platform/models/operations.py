"""Side effects run once: one row per (kind, key), claimed before the effect runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

OPERATION_STATES: tuple[str, ...] = ("running", "succeeded", "failed")


class Operation(Base):
    """A side effect (cancel an order, activate a store, …) and its outcome.

    ``(kind, key)`` names the effect (``order.cancel`` / the order's id): whoever inserts
    the row runs the effect; everyone else reads its outcome. ``attempt`` counts the
    claims, so a retry after a failure hands the provider a new idempotency key.
    """

    __tablename__ = "operations"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint("state IN ('running', 'succeeded', 'failed')", name="state"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="running")
    attempt: Mapped[int] = mapped_column(default=1)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
