"""Who the merchant is: organizations, their users, locations, brands and stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.languages import LANGUAGES
from bot.platform.models.base import Base

if TYPE_CHECKING:
    from bot.platform.models.integration import ProviderAccount, StoreLink

_LANGUAGE_LIST = ", ".join(f"'{code}'" for code in LANGUAGES)


class Organization(Base):
    """A merchant: the unit everything else belongs to and is isolated by."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    users: Mapped[list[User]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")
    brands: Mapped[list[Brand]] = relationship(back_populates="organization")
    accounts: Mapped[list[ProviderAccount]] = relationship(back_populates="organization")


class User(Base):
    """A person of an organization, with profile language, permissions and alert choices."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"language IN ({_LANGUAGE_LIST})", name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)  # E.164
    phone_verified: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    can_manage_integrations: Mapped[bool] = mapped_column(default=False)
    can_cancel_orders: Mapped[bool] = mapped_column(default=False)
    alert_sms: Mapped[bool] = mapped_column(default=False)
    alert_email: Mapped[bool] = mapped_column(default=False)
    # Quiet hours, local "HH:MM" in the organization's first location's time zone: SMS and
    # e-mail alerts wait until they end (None: no quiet hours).
    quiet_start: Mapped[str | None] = mapped_column(String(5), default=None)
    quiet_end: Mapped[str | None] = mapped_column(String(5), default=None)

    organization: Mapped[Organization] = relationship(back_populates="users")


class Location(Base):
    """A physical restaurant site of an organization."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name, e.g. America/New_York
    has_pos_device: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization] = relationship(back_populates="locations")
    stores: Mapped[list[Store]] = relationship(back_populates="location")


class Brand(Base):
    """A restaurant brand (a menu identity) of an organization."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organization: Mapped[Organization] = relationship(back_populates="brands")
    stores: Mapped[list[Store]] = relationship(back_populates="brand")


class Store(Base):
    """One brand sold at one location (what a provider lists as a store)."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("location_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)

    location: Mapped[Location] = relationship(back_populates="stores")
    brand: Mapped[Brand] = relationship(back_populates="stores")
    links: Mapped[list[StoreLink]] = relationship(back_populates="store")
