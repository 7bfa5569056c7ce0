"""Dispatch integrations (OTO): settings, branch activation and the orders they dispatch.

An order is sent to OTO when its branch is active for OTO, it is a delivery order, it has
a customer with a delivery address, it is marked Ready (which needs it sent to the
kitchen first) and no cashier still has it open. Each of those is kept as data on
:class:`DispatchOrder`, so the "why was it not sent" answer can be derived from the row.

The token is never kept in clear: ``token_secret`` is its Fernet token made with
:class:`bot.platform.secrets_box.SecretsBox` under ``settings.credentials_key``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.organization import Location, Organization

DISPATCH_PROVIDERS: tuple[str, ...] = ("oto",)
"""The dispatch (delivery management) systems the platform integrates with."""

ORDER_TYPES: tuple[str, ...] = ("delivery", "pickup")

KITCHEN_STATUSES: tuple[str, ...] = ("not_sent", "sent", "ready")
"""``not_sent``: not sent to the kitchen yet; ``sent``: in the kitchen; ``ready``: marked Ready."""


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class DispatchIntegration(Base):
    """An organization's settings for one dispatch system (retailer id, token, currency)."""

    __tablename__ = "dispatch_integrations"
    __table_args__ = (
        UniqueConstraint("organization_id", "provider"),
        CheckConstraint(f"provider IN ({_sql_list(DISPATCH_PROVIDERS)})", name="provider"),
        # Retailer id and token are saved together (after the provider accepted them).
        CheckConstraint(
            "(retailer_id IS NULL AND token_secret IS NULL)"
            " OR (retailer_id IS NOT NULL AND token_secret IS NOT NULL)",
            name="credentials_together",
        ),
        # An ISO 4217 code: three upper-case letters.
        CheckConstraint(
            "currency IS NULL OR (length(currency) = 3 AND upper(currency) = currency)",
            name="currency",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16), default="oto")
    retailer_id: Mapped[str | None] = mapped_column(String(100))
    token_secret: Mapped[str | None] = mapped_column(Text)  # Fernet token of the token
    currency: Mapped[str | None] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    branches: Mapped[list[DispatchBranch]] = relationship(
        back_populates="integration", cascade="all, delete-orphan"
    )

    @property
    def has_credentials(self) -> bool:
        """Whether a retailer id and token are saved."""
        return self.retailer_id is not None and self.token_secret is not None


class DispatchBranch(Base):
    """Whether orders of one location (a "branch") are sent to the dispatch system."""

    __tablename__ = "dispatch_branches"
    __table_args__ = (UniqueConstraint("integration_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("dispatch_integrations.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    integration: Mapped[DispatchIntegration] = relationship(back_populates="branches")
    location: Mapped[Location] = relationship()


class DispatchOrder(Base):
    """A cashier (POS) order of a branch, with what decides whether it goes to dispatch."""

    __tablename__ = "dispatch_orders"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_id"),
        CheckConstraint(f"order_type IN ({_sql_list(ORDER_TYPES)})", name="order_type"),
        CheckConstraint(
            f"kitchen_status IN ({_sql_list(KITCHEN_STATUSES)})", name="kitchen_status"
        ),
        # A delivery address belongs to a customer.
        CheckConstraint("NOT has_delivery_address OR has_customer", name="address_of_customer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(40))  # e.g. "F-7001"
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    order_type: Mapped[str] = mapped_column(String(16))
    has_customer: Mapped[bool] = mapped_column(default=False)
    has_delivery_address: Mapped[bool] = mapped_column(default=False)
    kitchen_status: Mapped[str] = mapped_column(String(16), default="not_sent")
    cashier_open: Mapped[bool] = mapped_column(default=False)  # still on a cashier's screen
    sent_to_oto: Mapped[bool] = mapped_column(default=False)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    location: Mapped[Location] = relationship()
