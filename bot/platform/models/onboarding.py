"""Onboarding a new provider account by chat: one row per "connect <provider> at <location>".

An onboarding starts once the location's stores meet the provider's menu criteria
(``providers/eligibility.yml``). It then goes through the seed's connection steps:

``ready`` (eligible; the sign-in link not sent yet) → ``pairing`` (a one-time pairing
link for a NEW provider account) → ``choose_brand`` (signed in: merge with an existing
brand or create a new one) → ``choose_stores`` (which of the login's stores) →
``waiting_qa`` (the provider's QA) → ``passed_qa`` (connected, passed QA, not activated);
or ``alert`` (a menu export failed: ``alert`` says which, "Retry menu export" fixes it).

The rows (and everything an onboarding created: its account, links, brand, stores)
are removed when the demo is restored (``services/onboarding_cleanup.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

ONBOARDING_STATES: tuple[str, ...] = (
    "ready",
    "pairing",
    "choose_brand",
    "choose_stores",
    "waiting_qa",
    "alert",
    "passed_qa",
)
"""Where an onboarding stands (see the module docstring)."""

BRAND_MODES: tuple[str, ...] = ("merge", "new")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Onboarding(Base):
    """One onboarding of a provider at a location, started by a user from a conversation.

    ``provider_stores`` is what the provider lists for the login after the sign-in:
    ``[{"ref", "location", "brand", "store_id", "active"}]`` (``ref``: the provider's
    store id). ``link_ids`` are the store links the onboarding created; ``created`` the
    rows it created for a new brand (``{"brand_id": int, "store_ids": [int]}``).
    """

    __tablename__ = "onboardings"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(ONBOARDING_STATES)})", name="state"),
        CheckConstraint(
            f"brand_mode IS NULL OR brand_mode IN ({_sql_list(BRAND_MODES)})", name="brand_mode"
        ),
        Index("ix_onboardings_user_conversation", "user_id", "conversation_id"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex, public
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    provider_key: Mapped[str] = mapped_column(ForeignKey("providers.key"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[str] = mapped_column(String(16), default="ready")
    # The new provider account (no foreign key: the demo restore removes accounts and
    # pairings in its own order); the pairing that signs it in.
    account_id: Mapped[str | None] = mapped_column(String(64), default=None)
    pairing_id: Mapped[str | None] = mapped_column(String(32), default=None)
    brand_mode: Mapped[str | None] = mapped_column(String(8), default=None)
    provider_stores: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    link_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alert: Mapped[str | None] = mapped_column(String(40), default=None)
    alert_store_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    qa_due_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
