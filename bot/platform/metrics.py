"""The platform's ``/metrics``: its HTTP requests, and at each scrape the handoff queue
(how many wait, the longest wait) and the alert outbox (rows to send, parked rows)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import CONTENT_TYPE, REQUEST_SECONDS, exposition, scrape_allowed, status_class
from bot.platform.models import AlertOutbox, Handoff, utcnow

PROCESS = "platform"


class QueueCollector(Collector):
    """Reads the handoff queue and the alert outbox when scraped."""

    def __init__(self, sessions: Callable[[], sessionmaker[Session]]) -> None:
        """Read through ``sessions()`` (the app's session factory, created lazily)."""
        self._sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges, as the database holds them now."""
        waiting = GaugeMetricFamily("ma_handoff_waiting", "Handoffs waiting for an agent")
        oldest = GaugeMetricFamily(
            "ma_handoff_oldest_wait_seconds", "How long the longest-waiting handoff has waited"
        )
        depth = GaugeMetricFamily(
            "ma_outbox_depth",
            "Alert messages not sent yet (pending or sending)",
            labels=["channel"],
        )
        parked = GaugeMetricFamily("ma_outbox_parked", "Alert messages given up on (parked)")
        with self._sessions()() as session:
            count, first = session.execute(
                select(func.count(), func.min(Handoff.created_at)).where(Handoff.state == "waiting")
            ).one()
            waiting.add_metric([], int(count or 0))
            oldest.add_metric([], _seconds_since(first))
            rows = session.execute(
                select(AlertOutbox.channel, func.count())
                .where(AlertOutbox.state.in_(("pending", "sending")))
                .group_by(AlertOutbox.channel)
            ).all()
            for channel, pending in rows:
                depth.add_metric([str(channel)], int(pending))
            parked.add_metric(
                [],
                int(session.scalar(select(func.count()).where(AlertOutbox.state == "parked")) or 0),
            )
        yield from (waiting, oldest, depth, parked)


def _seconds_since(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    now = utcnow()
    if moment.tzinfo is None:
        now = now.replace(tzinfo=None)
    return max(0.0, (now - moment).total_seconds())


def install(
    app: FastAPI, sessions: Callable[[], sessionmaker[Session]], token: Callable[[], str]
) -> None:
    """Time every request of ``app`` and serve ``GET /metrics`` (``token()``: METRICS_TOKEN)."""
    registry = CollectorRegistry()  # collectors are read at scrape time only
    registry.register(QueueCollector(sessions))

    @app.middleware("http")
    async def timed(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        REQUEST_SECONDS.labels(PROCESS, route, status_class(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus text exposition."""
        if not scrape_allowed(token(), request.headers.get("authorization")):
            return Response(status_code=401)
        return Response(exposition(registry), media_type=CONTENT_TYPE)
