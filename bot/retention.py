"""The retention job (``RETENTION_DAYS``, default 90): Rasa's trackers and the platform's
handoff transcripts and sent alerts older than that are deleted; who did what (the audit
log, handoff rows) is kept.

``python -m bot.retention [--days N]`` runs it once and prints what it deleted; the
platform process runs :class:`RetentionJob` every ``RETENTION_INTERVAL_HOURS``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from bot.background import BackgroundLoop
from bot.config import Settings, get_settings
from bot.platform.db import make_engine, session_factory
from bot.platform.services.retention import PlatformPurge, purge_platform
from bot.tracker_retention import TrackerPurge, purge_trackers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purge:
    """What one run deleted."""

    cutoff: datetime
    platform: PlatformPurge
    trackers: TrackerPurge

    def summary(self) -> dict[str, object]:
        """The figures, flat, for a log line or the command's output."""
        return {"cutoff": self.cutoff.isoformat(), **asdict(self.platform), **asdict(self.trackers)}


def tracker_db_url(settings: Settings) -> str:
    """Rasa's tracker store as a SQLAlchemy URL: RASA_TRACKER_URL (production profile),
    else ``RASA_TRACKER_DB`` (a SQLite path in the embedded default, or a URL)."""
    if settings.rasa_tracker_url:
        return settings.rasa_tracker_url
    db = settings.rasa_tracker_db
    return db if "://" in db else f"sqlite:///{db}"


def run_once(
    settings: Settings,
    sessions: sessionmaker[Session] | None = None,
    *,
    days: int | None = None,
    now: datetime | None = None,
) -> Purge:
    """Delete what is older than ``days`` (the setting by default) and say how much."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days or settings.retention_days)
    own_engine = None
    if sessions is None:
        own_engine = make_engine(settings.database_url)
        sessions = session_factory(own_engine)
    trackers = make_engine(tracker_db_url(settings), foreign_keys=False)
    try:
        with sessions() as session:
            platform = purge_platform(session, cutoff)
        tracked = purge_trackers(trackers, cutoff)
    finally:
        trackers.dispose()
        if own_engine is not None:
            own_engine.dispose()
    return Purge(cutoff=cutoff, platform=platform, trackers=tracked)


class RetentionJob(BackgroundLoop):
    """Runs :func:`run_once` now and every ``RETENTION_INTERVAL_HOURS`` until stopped."""

    task_name = "retention"

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        """Purge through ``sessions`` with ``settings``' window and interval."""
        super().__init__()
        self._sessions = sessions
        self._settings = settings

    async def run(self) -> None:
        """Purge, wait the interval (or until stopped), again."""
        while not self._stop.is_set():
            try:
                purge = await asyncio.to_thread(run_once, self._settings, self._sessions)
                log.info("retention: %s", purge.summary())
            except Exception:  # noqa: BLE001 - the next run tries again
                log.exception("retention run failed")
            await self.pause(self._settings.retention_interval_hours * 3600)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.retention [--days N]``: one run; prints what was deleted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="keep this many days")
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 1:
        parser.error("--days must be at least 1")
    purge = run_once(get_settings(), days=args.days)
    for key, value in purge.summary().items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
