"""The retention job: trackers and transcripts older than RETENTION_DAYS go, who did what
stays, and nothing still in use is touched (on SQLite and PostgreSQL for the platform;
on a SQLite tracker store with Rasa's ``events`` table for the trackers)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.platform.models import Agent, AlertOutbox, AuditLog, Handoff, HandoffMessage, User
from bot.retention import main, run_once
from tests.integration.conftest import make_settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=100)
RECENT = NOW - timedelta(days=10)

RASA_EVENTS = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT
)"""


def _handoff(session: Session, conversation: str, ended: datetime | None, state: str) -> int:
    olivia = session.scalars(select(User).where(User.email == "olivia@demo-kitchen.test")).one()
    sam = session.scalars(select(Agent)).first()
    handoff = Handoff(
        conversation_id=conversation,
        organization_id=olivia.organization_id,
        user_id=olivia.id,
        channel="web",
        language="en",
        reason="asked",
        state=state,
        agent_id=sam.id if state != "waiting" else None,
        packet={
            "organization": {"name": "Demo Kitchen Group"},
            "recent_messages": [{"sender": "user", "text": "my tablet is offline"}],
        },
        created_at=(ended or OLD) - timedelta(minutes=30),
        ended_at=ended,
    )
    session.add(handoff)
    session.flush()
    for words in ("hello", "still broken"):
        session.add(HandoffMessage(handoff_id=handoff.id, sender="user", text=words))
    session.commit()
    return handoff.id


def _outbox(session: Session, state: str, created: datetime) -> int:
    olivia = session.scalars(select(User).where(User.email == "olivia@demo-kitchen.test")).one()
    row = AlertOutbox(
        organization_id=olivia.organization_id,
        channel="sms",
        user_id=olivia.id,
        address=olivia.phone or "+15550000001",
        state=state,
        due_at=created,
        message_key=f"retention-{state}-{created.timestamp()}",
        created_at=created,
    )
    session.add(row)
    session.commit()
    return row.id


def test_old_transcripts_go_and_who_did_what_stays(demo_db_url, sessions, tmp_path) -> None:
    with sessions() as session:
        old = _handoff(session, "web:1:old", OLD, "closed")
        recent = _handoff(session, "web:1:recent", RECENT, "returned")
        still_open = _handoff(session, "web:1:open", None, "waiting")
        sent_old = _outbox(session, "sent", OLD)
        pending_old = _outbox(session, "pending", OLD)
        sent_recent = _outbox(session, "sent", RECENT)
        audit_before = session.scalar(select(func.count()).select_from(AuditLog))
    settings = make_settings(demo_db_url, rasa_tracker_db=str(tmp_path / "none.db"))

    purge = run_once(settings, sessions, now=NOW)

    assert (purge.platform.handoff_messages, purge.platform.handoff_packets) == (2, 1)
    with sessions() as session:

        def messages(handoff_id: int) -> list[str]:
            statement = select(HandoffMessage.text).where(HandoffMessage.handoff_id == handoff_id)
            return list(session.scalars(statement))

        assert messages(old) == []
        assert messages(recent) == messages(still_open) == ["hello", "still broken"]
        kept = session.get(Handoff, old)
        assert kept is not None and kept.state == "closed" and kept.agent_id is not None
        assert "recent_messages" not in kept.packet
        assert kept.packet["organization"] == {"name": "Demo Kitchen Group"}
        assert session.get(Handoff, recent).packet["recent_messages"]
        assert session.get(Handoff, still_open).packet["recent_messages"]
        assert session.get(AlertOutbox, sent_old) is None
        assert session.get(AlertOutbox, pending_old) is not None
        assert session.get(AlertOutbox, sent_recent) is not None
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audit_before


def _tracker_db(path) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    day = 86400.0
    old, recent = OLD.timestamp(), NOW.timestamp() - day
    rows = [
        # a conversation over for 100 days
        ("web:1:gone", "action", old), ("web:1:gone", "user", old + 1),
        # a conversation still going: a session 100 days ago, a new one yesterday
        ("web:1:going", "session_started", old), ("web:1:going", "user", old + 1),
        ("web:1:going", "session_started", recent), ("web:1:going", "user", recent + 1),
        # one long session that began 100 days ago and is still going: Rasa reads it whole
        ("web:1:long", "session_started", old), ("web:1:long", "user", old + 1),
        ("web:1:long", "user", recent),
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text(RASA_EVENTS))
        for sender, kind, moment in rows:
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp) VALUES (:s, :k, :t)"),
                {"s": sender, "k": kind, "t": moment},
            )
    engine.dispose()
    return url


def _events(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, type_name FROM events ORDER BY id"))
        found: dict[str, list[str]] = {}
        for sender, kind in rows:
            found.setdefault(sender, []).append(kind)
    engine.dispose()
    return found


def test_trackers_older_than_the_window_go_without_breaking_one_in_use(
    demo_db_url, sessions: sessionmaker[Session], tmp_path
) -> None:
    url = _tracker_db(tmp_path / "rasa-tracker.db")
    settings = make_settings(demo_db_url, rasa_tracker_db=str(tmp_path / "rasa-tracker.db"))

    purge = run_once(settings, sessions, now=NOW)

    assert _events(url) == {
        "web:1:going": ["session_started", "user"],
        "web:1:long": ["session_started", "user", "user"],
    }
    assert (purge.trackers.conversations, purge.trackers.events) == (1, 4)


def test_the_command_refuses_a_window_under_a_day_and_changes_nothing(
    demo_db_url, tmp_path, monkeypatch, capsys
) -> None:
    url = _tracker_db(tmp_path / "rasa-tracker.db")
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa-tracker.db"))
    before = _events(url)
    with pytest.raises(SystemExit):
        main(["--days", "0"])
    assert "--days must be at least 1" in capsys.readouterr().err
    assert _events(url) == before
