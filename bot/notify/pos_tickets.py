"""POS storefront-issue tickets: rendered and stored for the location's device to fetch.

Storing is the hand-over: the ticket row and the outbox row's ``sent`` are written in one
transaction, so a ticket is stored exactly once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.notify.alert_texts import broken_store, render_pos_ticket
from bot.platform.models import AlertOutbox, PosTicket


def store_tickets(session: Session, row: AlertOutbox, dashboard_url: str, now: datetime) -> int:
    """Add one ticket per live item of a POS ``row`` (not committed).

    Returns:
        How many tickets were added.
    """
    location = row.location
    zone = ZoneInfo(location.timezone) if location is not None else None
    count = 0
    for item in row.items:
        if item.cancelled_at is not None:
            continue
        store = broken_store(session, item.incident, row.language, dashboard_url)
        body = render_pos_ticket(row.language, store, now.astimezone(zone) if zone else now)
        session.add(
            PosTicket(
                location_id=row.location_id, incident_id=item.incident_id, body=body, created_at=now
            )
        )
        count += 1
    return count
