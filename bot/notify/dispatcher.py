"""The alert dispatcher: claims due outbox rows, sends them, records the outcome.

One pass (:meth:`Dispatcher.run_once`) claims a batch (:mod:`bot.notify.claims`), then
for each row: a POS ticket is stored; an SMS to an opted-out number is cancelled; a user
in quiet hours, or an SMS over a rate limit, is postponed (``next_attempt_at``, no
attempt counted); otherwise the message is handed to Twilio / SMTP and the row marked
``sent``. A failure counts an attempt and waits a capped, jittered backoff; after
``ALERT_MAX_ATTEMPTS`` the row is ``parked`` and logged at error level. Nothing is held
locked while a message is on the wire. ``python -m bot.notify.dispatcher`` runs one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.background import BackgroundLoop
from bot.config import Settings, get_settings
from bot.notify import delivery_rules as rules
from bot.notify.alert_texts import broken_store, render_email, render_sms
from bot.notify.claims import claim, finish
from bot.notify.email_sender import SmtpEmailSender, build_message
from bot.notify.pos_tickets import store_tickets
from bot.notify.twilio_sms import TwilioSmsSender, mask_phone
from bot.notify.unsubscribe_token import unsubscribe_url
from bot.platform.models import AlertOutbox, utcnow
from bot.platform.services.alert_queue import open_due_incidents

log = logging.getLogger(__name__)


class Dispatcher(BackgroundLoop):
    """Sends what the alert outbox holds; several may run at once."""

    task_name = "alert-dispatcher"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        sms: TwilioSmsSender | None = None,
        email: SmtpEmailSender | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Wire it (senders default to the settings' Twilio account and SMTP server)."""
        super().__init__()
        self.sessions, self.settings, self.clock = sessions, settings, clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._sms = sms
        self.email = email or SmtpEmailSender(settings)

    @property
    def sms(self) -> TwilioSmsSender:
        """The SMS sender, built on first use (one try per call: retries are ours)."""
        if self._sms is None:
            self._sms = TwilioSmsSender.from_settings(self.settings, attempts=1)
        return self._sms

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch and process it (database work runs in a worker thread).

        Returns:
            How many rows were claimed.
        """
        now = now or self.clock()
        ids = await asyncio.to_thread(self._claim, now)
        for row_id in ids:
            await self._process(row_id, now)
        return len(ids)

    def _claim(self, now: datetime) -> list[int]:
        with self.sessions() as session:
            open_due_incidents(session, now)
            session.commit()
            return claim(session, self.worker, now, self.settings.alert_batch)

    async def _process(self, row_id: int, now: datetime) -> None:
        try:
            prepared = await asyncio.to_thread(self._prepare, row_id, now)
            if prepared is None:
                return
            await prepared()
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
            await asyncio.to_thread(self._failed, row_id, now, f"{type(exc).__name__}: {exc}"[:500])
            return
        await asyncio.to_thread(self._sent, row_id, now)

    def _sent(self, row_id: int, now: datetime) -> None:
        with self.sessions() as session:
            finish(session, row_id, self.worker, state="sent", sent_at=now, last_error=None)
            session.commit()

    def _prepare(self, row_id: int, now: datetime) -> Callable[[], Any] | None:
        """Decide about the row; the hand-over to run, or ``None`` when already recorded."""
        s = self.settings
        with self.sessions() as session:
            row = session.get(AlertOutbox, row_id)
            if row is None:
                return None
            items = [item for item in row.items if item.cancelled_at is None]
            if not items:
                return self._record(session, row_id, state="cancelled")
            if row.channel == "pos":
                store_tickets(session, row, s.effective_dashboard_url(), now)
                return self._record(session, row_id, state="sent", sent_at=now)
            if row.channel == "sms" and rules.opted_out(session, row.address):
                return self._record(session, row_id, state="cancelled", last_error="opted out")
            wait = rules.quiet_until(session, row.user, now) if row.user is not None else None
            if wait is None and row.channel == "sms":
                wait = rules.sms_rate_wait(session, s, row, self.worker, now)
            if wait is not None:
                return self._record(session, row_id, state="pending", next_attempt_at=wait)
            dashboard = s.effective_dashboard_url()
            stores = [broken_store(session, i.incident, row.language, dashboard) for i in items]
            if row.channel == "sms":
                to, body = row.address, render_sms(row.language, stores[0])
                log.info("alert SMS %s to %s", row.message_key, mask_phone(to))
                return lambda: self.sms.send(to, body)
            unsubscribe = unsubscribe_url(s, row.user_id, row.language)
            mail = render_email(row.language, stores, unsubscribe)
            message = build_message(s, row.address, mail, row.message_key, unsubscribe)
            log.info("alert e-mail %s (%d stores)", row.message_key, len(stores))
            return lambda: self.email.send(message)

    def _record(self, session: Session, row_id: int, **values: object) -> None:
        finish(session, row_id, self.worker, **values)
        session.commit()
        return None

    def _failed(self, row_id: int, now: datetime, error: str) -> None:
        with self.sessions() as session:
            row = session.get(AlertOutbox, row_id)
            if row is None:
                return
            attempts = row.attempts + 1
            if attempts >= self.settings.alert_max_attempts:
                values: dict[str, object] = {"state": "parked"}
                log.error(
                    "alert %s (%s) parked after %d tries: %s",
                    row.message_key,
                    row.channel,
                    attempts,
                    error,
                )
            else:
                retry_at = now + rules.backoff(self.settings, attempts)
                values = {"state": "pending", "next_attempt_at": retry_at}
                log.warning(
                    "alert %s (%s) try %d failed: %s", row.message_key, row.channel, attempts, error
                )
            finish(session, row_id, self.worker, attempts=attempts, last_error=error, **values)
            session.commit()

    async def run(self) -> None:
        """Poll until :meth:`stop`: a full batch is followed at once by the next."""
        log.info("alert dispatcher %s started", self.worker)
        while not self._stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:  # noqa: BLE001 - the loop survives a database hiccup
                log.exception("alert dispatcher pass failed")
                claimed = 0
            if claimed < self.settings.alert_batch:
                await self.pause(self.settings.alert_poll_seconds)

    async def stop(self) -> None:
        """Finish the current pass and stop; close the SMS client."""
        await super().stop()
        if self._sms is not None:
            self._sms.close()
            self._sms = None


def main() -> None:  # pragma: no cover - a process entry point
    """``python -m bot.notify.dispatcher``: one standalone dispatcher until Ctrl-C."""
    from bot.platform.db import make_engine, session_factory

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    dispatcher = Dispatcher(session_factory(make_engine(settings.database_url)), settings)
    try:
        asyncio.run(dispatcher.run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":  # pragma: no cover
    main()
