"""Repair: pairing sessions, wrong-code records, stored provider credentials, repair requests.

Secrets never appear here in clear: a pairing link's token and its code-form nonce are
kept as SHA-256 digests, a provider password only as a Fernet token (``secret``), and a
2FA/MFA code not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

PAIRING_STATES: tuple[str, ...] = (
    "open",
    "awaiting_code",
    "succeeded",
    "failed",
    "locked",
    "expired",
)
"""``open``: the link works; ``awaiting_code``: signed in, the provider wants a code."""

PAIRING_OUTCOMES: tuple[str, ...] = (
    "started",
    "needs_code",
    "code_rejected",
    "invalid_credentials",
    "locked",
    "succeeded",
    "new_error",
    "provider_error",
    "expired",
    "superseded",
)
"""What last happened to a pairing."""


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class PairingSession(Base):
    """One reconnection of a provider account through a one-time pairing link."""

    __tablename__ = "pairing_sessions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(PAIRING_STATES)})", name="state"),
        CheckConstraint(f"outcome IN ({_sql_list(PAIRING_OUTCOMES)})", name="outcome"),
        Index("ix_pairing_sessions_user_conversation", "user_id", "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex, public
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the link token
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str] = mapped_column(String(24), default="started")
    step_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the code-form nonce
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class PairingCodeFailure(Base):
    """One wrong 2FA/MFA code for an account (never the code itself)."""

    __tablename__ = "pairing_code_failures"
    __table_args__ = (
        Index("ix_pairing_code_failures_account_created", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderCredential(Base):
    """The login and the encrypted password the platform keeps for a provider account."""

    __tablename__ = "provider_credentials"

    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"), primary_key=True)
    login: Mapped[str] = mapped_column(String(320))
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the password
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SandboxAccount(Base):
    """The sandbox provider's state for one account: its password, its code, injections.

    ``password_hash`` and ``code_hash`` are HMAC-SHA256 digests made with the credentials
    key; ``NULL`` means the demo defaults. ``injections`` is a first-in first-out list of
    ``{"on": "pairing" | "check", "error_type": ..., "error_case": ...}``.
    """

    __tablename__ = "sandbox_accounts"

    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    injections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class RepairRequest(Base):
    """A user who may not fix an account asked those who may (open until it is fixed)."""

    __tablename__ = "repair_requests"
    __table_args__ = (Index("ix_repair_requests_account_closed", "account_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("provider_accounts.id"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)  # the account was fixed
