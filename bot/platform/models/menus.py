"""Store menus: their items and their weekly opening hours.

A provider's onboarding criteria are checked against these rows: a menu that is not
empty and has no empty items (an item without a name or without a price), and opening
hours that add up to enough minutes a week.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.organization import Store

MINUTES_PER_DAY = 24 * 60


class Menu(Base):
    """The menu of one store (one brand at one location)."""

    __tablename__ = "menus"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()
    items: Mapped[list[MenuItem]] = relationship(
        back_populates="menu", cascade="all, delete-orphan", order_by="MenuItem.position"
    )
    hours: Mapped[list[MenuHours]] = relationship(
        back_populates="menu",
        cascade="all, delete-orphan",
        order_by=lambda: [MenuHours.day_of_week, MenuHours.opens_minute],
    )

    @property
    def empty_items(self) -> list[MenuItem]:
        """The items without a name or without a price."""
        return [item for item in self.items if item.is_empty]

    @property
    def weekly_open_minutes(self) -> int:
        """How many minutes a week the menu is open (overlaps counted once per row)."""
        return sum(row.minutes for row in self.hours)


class MenuItem(Base):
    """One item of a menu; an item with no name or no price is an "empty item"."""

    __tablename__ = "menu_items"
    __table_args__ = (
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    menu_id: Mapped[int] = mapped_column(ForeignKey("menus.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(String(200))
    price_cents: Mapped[int | None] = mapped_column()  # in the location's currency

    menu: Mapped[Menu] = relationship(back_populates="items")

    @property
    def is_empty(self) -> bool:
        """Whether the item lacks a name or a price."""
        return not (self.name or "").strip() or self.price_cents is None


class MenuHours(Base):
    """One opening period of a menu on one day of the week, in the location's time zone.

    ``day_of_week`` is 0 (Monday) to 6 (Sunday); ``opens_minute`` and ``closes_minute``
    count minutes from midnight (``closes_minute`` up to 1440, midnight at the end of the
    day). A period over midnight is stored as two rows.
    """

    __tablename__ = "menu_hours"
    __table_args__ = (
        UniqueConstraint("menu_id", "day_of_week", "opens_minute"),
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week"),
        CheckConstraint(
            f"opens_minute >= 0 AND closes_minute <= {MINUTES_PER_DAY}"
            " AND opens_minute < closes_minute",
            name="period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    menu_id: Mapped[int] = mapped_column(ForeignKey("menus.id"), index=True)
    day_of_week: Mapped[int] = mapped_column()
    opens_minute: Mapped[int] = mapped_column()
    closes_minute: Mapped[int] = mapped_column()

    menu: Mapped[Menu] = relationship(back_populates="hours")

    @property
    def minutes(self) -> int:
        """How long this period is open, in minutes."""
        return self.closes_minute - self.opens_minute
