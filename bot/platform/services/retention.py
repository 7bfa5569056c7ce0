"""Retention: what people wrote is kept for ``RETENTION_DAYS``; who did what is kept.

After the window a handoff's transcript (its messages, and the recent messages its
packet carried) is deleted; the handoff row itself stays — who asked, which agent took
it, when, how it ended — as does the audit log, whose entries never hold message text.
Finished alert outbox rows (their texts were sent) go too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.platform.models import AlertOutbox, Handoff, HandoffMessage

FINISHED_OUTBOX_STATES = ("sent", "cancelled", "parked")
TEXT_PACKET_KEYS = ("recent_messages",)


@dataclass(frozen=True)
class PlatformPurge:
    """How many rows a purge deleted or emptied."""

    handoff_messages: int
    handoff_packets: int
    outbox_rows: int


def purge_platform(session: Session, cutoff: datetime) -> PlatformPurge:
    """Delete the texts of handoffs that ended before ``cutoff`` and finished outbox rows
    older than it; commit. Open handoffs are never touched, however old."""
    ended = select(Handoff.id).where(Handoff.ended_at.is_not(None), Handoff.ended_at < cutoff)
    messages = session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ended)))
    emptied = 0
    for handoff in session.scalars(
        select(Handoff).where(Handoff.ended_at.is_not(None), Handoff.ended_at < cutoff)
    ):
        packet = dict(handoff.packet or {})
        if any(packet.get(key) for key in TEXT_PACKET_KEYS):
            for key in TEXT_PACKET_KEYS:
                packet.pop(key, None)
            handoff.packet = packet
            emptied += 1
    outbox = session.execute(
        delete(AlertOutbox).where(
            AlertOutbox.state.in_(FINISHED_OUTBOX_STATES), AlertOutbox.created_at < cutoff
        )
    )
    session.commit()
    return PlatformPurge(
        handoff_messages=int(messages.rowcount or 0),
        handoff_packets=emptied,
        outbox_rows=int(outbox.rowcount or 0),
    )
