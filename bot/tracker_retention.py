"""Retention of Rasa's conversation trackers (its SQL tracker store's ``events`` table).

What is older than the cutoff goes, without ever breaking a tracker Rasa still uses:

* a conversation whose last event is older than the cutoff is deleted whole;
* in a conversation still going, the events older than the cutoff *and* older than its
  latest ``session_started`` are deleted — Rasa reads a tracker from its latest session
  start on, so those events are never read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, and_, delete, func, select
from sqlalchemy.engine import Engine

_METADATA = MetaData()
EVENTS = Table(
    "events",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
)
"""The columns of Rasa's ``SQLTrackerStore`` table this module reads."""


@dataclass(frozen=True)
class TrackerPurge:
    """How many whole conversations and how many events in all were deleted."""

    conversations: int
    events: int


def purge_trackers(engine: Engine, cutoff: datetime) -> TrackerPurge:
    """Delete the tracker events older than ``cutoff`` that Rasa can no longer read."""
    limit = cutoff.timestamp()
    with engine.begin() as connection:
        if not engine.dialect.has_table(connection, "events"):
            return TrackerPurge(0, 0)
        last = func.max(EVENTS.c.timestamp)
        stale = [
            row[0]
            for row in connection.execute(
                select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(last < limit)
            )
        ]
        deleted = 0
        for sender in stale:
            deleted += connection.execute(
                delete(EVENTS).where(EVENTS.c.sender_id == sender)
            ).rowcount
        starts = connection.execute(
            select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp))
            .where(EVENTS.c.type_name == "session_started")
            .group_by(EVENTS.c.sender_id)
        ).all()
        for sender, started in starts:
            bound = min(float(started), limit)
            deleted += connection.execute(
                delete(EVENTS).where(and_(EVENTS.c.sender_id == sender, EVENTS.c.timestamp < bound))
            ).rowcount
    return TrackerPurge(conversations=len(stale), events=int(deleted))
