"""Inbound messages processed once: the first receipt of a Telegram ``update_id`` or a
Twilio ``MessageSid`` wins, across gateway processes and restarts.

The unique ``(channel, external_id)`` constraint decides: of two inserts at once (two
gateway processes, a webhook retried while the first call runs), the database lets one
through and refuses the other, on SQLite and on PostgreSQL alike. Receipts older than
:data:`KEEP_FOR` are purged now and then (providers retry within minutes, not days).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.platform.models import CHANNELS, ChannelReceipt, utcnow
from bot.platform.services.errors import ServiceError

KEEP_FOR = timedelta(days=7)
"""How long a receipt is kept."""

PURGE_EVERY = 100
"""Old receipts are purged when a new receipt's id is a multiple of this."""


class UnknownChannel(ServiceError):
    """Not a channel whose messages are de-duplicated (``telegram``, ``sms``)."""

    code = "unknown_channel"


def record_receipt(
    session: Session, channel: str, external_id: str, *, now: datetime | None = None
) -> bool:
    """Record that ``external_id`` arrived on ``channel``, and commit.

    Returns:
        True the first time (process the message), False for a duplicate (drop it).

    Raises:
        UnknownChannel: ``channel`` is not ``telegram`` or ``sms``.
    """
    if channel not in CHANNELS:
        raise UnknownChannel(channel, list(CHANNELS))
    now = now or utcnow()
    receipt = ChannelReceipt(channel=channel, external_id=external_id, received_at=now)
    session.add(receipt)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    if receipt.id % PURGE_EVERY == 0:
        purge_receipts(session, now=now)
    return True


def purge_receipts(session: Session, *, now: datetime | None = None) -> int:
    """Delete receipts older than :data:`KEEP_FOR`, and commit.

    Returns:
        How many were deleted.
    """
    cutoff = (now or utcnow()) - KEEP_FOR
    result = session.execute(delete(ChannelReceipt).where(ChannelReceipt.received_at < cutoff))
    session.commit()
    return result.rowcount or 0
