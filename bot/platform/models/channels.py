"""Telegram and SMS channels: linked Telegram accounts, link codes, SMS opt-outs and the
receipts that make inbound webhooks processed once.

All four are runtime state (``info={"demo_reset": True}``): restoring the demo empties them.
A link code is kept only as a SHA-256 digest; phone numbers are E.164 (``+15550000001``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.platform.models.base import Base, utcnow

CHANNELS: tuple[str, ...] = ("telegram", "sms")
"""Channels whose inbound messages carry an id the platform de-duplicates."""


class TelegramLink(Base):
    """A Telegram account linked to a user: one account per user, one user per account."""

    __tablename__ = "telegram_links"
    __table_args__ = ({"info": {"demo_reset": True}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # may be negative (groups: -100…)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class TelegramLinkCode(Base):
    """A one-time code that links the Telegram account it is sent from to ``user_id``."""

    __tablename__ = "telegram_link_codes"
    __table_args__ = ({"info": {"demo_reset": True}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the code
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class SmsOptOut(Base):
    """Whether a phone number said STOP (``opted_out``) or START again since."""

    __tablename__ = "sms_opt_outs"
    __table_args__ = ({"info": {"demo_reset": True}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)  # E.164
    opted_out: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelReceipt(Base):
    """An inbound message already received (Telegram update_id, Twilio MessageSid)."""

    __tablename__ = "channel_receipts"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(
            "channel IN ({})".format(", ".join(f"'{c}'" for c in CHANNELS)), name="channel"
        ),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
