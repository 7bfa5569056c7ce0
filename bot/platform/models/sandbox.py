"""The sandbox provider's own records: the calls it received and the faults queued for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

SANDBOX_METHODS: tuple[str, ...] = ("activate", "cancel", "menu_export", "check")
"""Sandbox calls that can be made to fail (``check``, the connection check after portal
steps, only to ``hang``); the first three are recorded."""


class SandboxCall(Base):
    """One side-effect call the sandbox provider received (a repeated key is one call)."""

    __tablename__ = "sandbox_calls"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_sandbox_calls_method_target", "method", "target"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_key: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(240))
    ok: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SandboxFault(Base):
    """A one-shot failure the next matching sandbox call reports."""

    __tablename__ = "sandbox_faults"
    __table_args__ = ({"info": {"demo_reset": True}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
