"""Live orders: the orders a store received from a delivery provider, and their state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.integration import Provider
from bot.platform.models.organization import Organization, Store

ORDER_STATUSES: tuple[str, ...] = (
    "accepted",
    "preparing",
    "ready",
    "delivered",
    "fulfilled",
    "cancelled",
)
"""A live order's status; ``delivered`` and ``fulfilled`` orders can no longer be cancelled."""

FINAL_STATUSES: tuple[str, ...] = ("delivered", "fulfilled", "cancelled")
"""Statuses an order never leaves."""


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class LiveOrder(Base):
    """An order a provider sent to one store of an organization (e.g. ``DD-1001``)."""

    __tablename__ = "live_orders"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_id"),
        CheckConstraint(f"status IN ({_sql_list(ORDER_STATUSES)})", name="status"),
        # Only a cancelled order has a cancellation reason and time.
        CheckConstraint(
            "status = 'cancelled' OR (cancel_reason IS NULL AND cancelled_at IS NULL)",
            name="cancel_fields_when_cancelled",
        ),
        # Only a cancelled order is removed from the active orders list.
        CheckConstraint(
            "NOT removed_from_active OR status = 'cancelled'", name="removed_when_cancelled"
        ),
        Index("ix_live_orders_organization_placed", "organization_id", "placed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(40))  # the provider's order number
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    provider_key: Mapped[str] = mapped_column(ForeignKey("providers.key"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    # A reason key of the provider's cancellation reasons (catalog data), when cancelled.
    cancel_reason: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_from_active: Mapped[bool] = mapped_column(default=False)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    store: Mapped[Store] = relationship()
    provider: Mapped[Provider] = relationship()
