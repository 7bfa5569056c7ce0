"""Live alerts: incidents, the alert outbox and its items, and the POS tickets.

An incident is one store link going from working to disconnected. In the same
transaction the platform queues outbox rows (an SMS, an e-mail, a POS ticket) that the
dispatcher (:mod:`bot.notify`) sends. ``alert_items`` ties rows to incidents: its unique
``(incident_id, channel, recipient_key)`` makes one alert per (incident, recipient,
channel), whatever happens. See ``docs/alerts-contract.md``.

All four tables are runtime state (``info={"demo_reset": True}``): restoring the demo
empties them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.platform.models.base import Base, utcnow
from bot.platform.models.integration import StoreLink
from bot.platform.models.organization import Location, User

INCIDENT_STATES: tuple[str, ...] = ("pending", "open", "flapped", "resolved")
"""``pending`` until ``alert_at`` (damping), then ``open``; ``flapped`` when the link came
back before ``alert_at``; ``resolved`` when it came back later."""
LIVE_INCIDENT_STATES: tuple[str, ...] = ("pending", "open")
ALERT_CHANNELS: tuple[str, ...] = ("sms", "email", "pos")
OUTBOX_STATES: tuple[str, ...] = ("pending", "sending", "sent", "parked", "cancelled")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_LIVE = f"state IN ({_sql_list(LIVE_INCIDENT_STATES)})"


class Incident(Base):
    """A store link that went from working to disconnected (at most one live per link)."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(INCIDENT_STATES)})", name="state"),
        # At most one pending/open incident per link: a repeated disconnect changes nothing.
        Index(
            "uq_incidents_live_link",
            "link_id",
            unique=True,
            postgresql_where=text(_LIVE),
            sqlite_where=text(_LIVE),
        ),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("store_links.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(40))  # the catalog key, e.g. "just_eat"
    error_type: Mapped[str] = mapped_column(String(40))
    error_case: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    alert_at: Mapped[datetime] = mapped_column(index=True)  # opened_at + damping
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    link: Mapped[StoreLink] = relationship()


class AlertOutbox(Base):
    """One message to send: an SMS or e-mail to a user, or a POS ticket for a location."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("message_key"),
        CheckConstraint(f"channel IN ({_sql_list(ALERT_CHANNELS)})", name="channel"),
        CheckConstraint(f"state IN ({_sql_list(OUTBOX_STATES)})", name="state"),
        CheckConstraint(
            "(channel = 'pos' AND location_id IS NOT NULL AND user_id IS NULL)"
            " OR (channel <> 'pos' AND user_id IS NOT NULL AND location_id IS NULL)",
            name="recipient",
        ),
        Index("ix_alert_outbox_state_due_at", "state", "due_at"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    address: Mapped[str] = mapped_column(String(320))  # phone (E.164), e-mail or location name
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500))
    message_key: Mapped[str] = mapped_column(String(64))  # Message-ID / idempotency key
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
    location: Mapped[Location | None] = relationship()
    items: Mapped[list[AlertItem]] = relationship(
        back_populates="outbox", order_by="AlertItem.id", cascade="all, delete-orphan"
    )


class AlertItem(Base):
    """One incident carried by an outbox row (an e-mail row may carry several)."""

    __tablename__ = "alert_items"
    __table_args__ = (
        UniqueConstraint("incident_id", "channel", "recipient_key"),
        {"info": {"demo_reset": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("alert_outbox.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(8))
    recipient_key: Mapped[str] = mapped_column(String(40))  # "user:<id>" or "location:<id>"
    # Set when the incident flapped before the row was sent: the item is left out.
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)

    outbox: Mapped[AlertOutbox] = relationship(back_populates="items")
    incident: Mapped[Incident] = relationship()


class PosTicket(Base):
    """A storefront-issue ticket saved for a location's POS device to fetch and print."""

    __tablename__ = "pos_tickets"
    __table_args__ = ({"info": {"demo_reset": True}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)  # 42-column plain text (ESC/POS printers)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(default=None)
