"""Prometheus metrics every process serves at ``/metrics`` (prometheus-client).

Each process records into the library's default registry (several processes of one
server, e.g. gateway workers: into PROMETHEUS_MULTIPROC_DIR, summed at scrape time); a
process may add collectors read at scrape time (the platform's queue depths). Names start ``ma_``.
``METRICS_TOKEN``, when set, is the bearer token a scrape must carry.
"""

from __future__ import annotations

import hmac
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST

# The gateway: user messages and the time until their turn's replies were delivered.
MESSAGES = Counter("ma_messages", "User messages the gateway received", ["channel"])
TURN_SECONDS = Histogram(
    "ma_turn_seconds",
    "From a user message to its replies handed to the channel",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
TURN_ERRORS = Counter(
    "ma_turn_errors", "Turns answered with 'something went wrong'", ["channel", "reason"]
)

# The action server: each action run, its time, its failures.
ACTION_SECONDS = Histogram(
    "ma_action_seconds", "Time an action took", ["action"], buckets=LATENCY_BUCKETS
)
ACTION_ERRORS = Counter("ma_action_errors", "Actions that raised instead of answering", ["action"])

# Every HTTP server of ours: requests by route template and status class.
REQUEST_SECONDS = Histogram(
    "ma_http_request_seconds",
    "HTTP requests served",
    ["process", "route", "status"],
    buckets=LATENCY_BUCKETS,
)


def exposition(*registries: CollectorRegistry) -> bytes:
    """The text exposition of the default registry and ``registries`` — under
    ``PROMETHEUS_MULTIPROC_DIR`` (several processes of one server), of all of them."""
    base = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        base = CollectorRegistry()
        multiprocess.MultiProcessCollector(base)
    return b"".join(generate_latest(registry) for registry in (base, *registries))


def scrape_allowed(token: str, authorization: str | None) -> bool:
    """Whether a scrape may read the metrics: no token set, or ``Bearer <token>``."""
    if not token:
        return True
    expected = f"Bearer {token}"
    return hmac.compare_digest(expected.encode(), (authorization or "").encode())


def status_class(status: int) -> str:
    """``2xx``, ``4xx``… (keeps the label's values few)."""
    return f"{status // 100}xx"
