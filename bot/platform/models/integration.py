"""Delivery providers, the accounts an organization holds with them, and their store links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.organization import Organization, Store

LINK_STATES: tuple[str, ...] = ("active", "connected", "disconnected")
"""``active``: taking orders; ``connected``: paired but not activated yet; ``disconnected``."""

ERROR_TYPES: tuple[str, ...] = (
    "invalid_credentials",
    "two_factor_required",
    "mfa_required",
    "third_party_blocked",
    "invalid_store_configuration",
)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Provider(Base):
    """A row of the provider catalog (mirrors ``providers/catalog.yml``)."""

    __tablename__ = "providers"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    self_repair: Mapped[bool] = mapped_column(default=False)
    cancel_via_us: Mapped[bool] = mapped_column(default=False)


class ProviderAccount(Base):
    """An organization's account with a provider (one login, one or more stores)."""

    __tablename__ = "provider_accounts"
    __table_args__ = (UniqueConstraint("organization_id", "label"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "ue-main"
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    provider_key: Mapped[str] = mapped_column(ForeignKey("providers.key"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(320))
    asks_2fa: Mapped[bool] = mapped_column(default=False)
    # Too many wrong 2FA/MFA codes: no pairing of this account may start or go on until then.
    pairing_locked_until: Mapped[datetime | None] = mapped_column(default=None)

    organization: Mapped[Organization] = relationship(back_populates="accounts")
    provider: Mapped[Provider] = relationship()
    links: Mapped[list[StoreLink]] = relationship(back_populates="account")


class StoreLink(Base):
    """The connection of one provider account to one store, with its state and error."""

    __tablename__ = "store_links"
    __table_args__ = (
        UniqueConstraint("account_id", "store_id"),
        CheckConstraint(f"state IN ({_sql_list(LINK_STATES)})", name="state"),
        CheckConstraint(
            f"error_type IS NULL OR error_type IN ({_sql_list(ERROR_TYPES)})", name="error_type"
        ),
        # A disconnected link always says why; a working link has no error.
        CheckConstraint(
            "(state = 'disconnected' AND error_type IS NOT NULL)"
            " OR (state <> 'disconnected' AND error_type IS NULL)",
            name="error_when_disconnected",
        ),
        CheckConstraint(
            "error_case IS NULL OR error_type = 'invalid_store_configuration'",
            name="case_of_store_configuration",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    passed_qa: Mapped[bool] = mapped_column(default=False)
    activated: Mapped[bool] = mapped_column(default=False)
    error_type: Mapped[str | None] = mapped_column(String(40))
    # A named invalid-store-configuration case the catalog may have a guide for
    # (e.g. "inactive_restaurant"); open-ended, so not constrained here.
    error_case: Mapped[str | None] = mapped_column(String(40))
    since: Mapped[datetime] = mapped_column(default=utcnow)  # when the state began (UTC)

    account: Mapped[ProviderAccount] = relationship(back_populates="links")
    store: Mapped[Store] = relationship(back_populates="links")
