"""Which Rasa worker serves a conversation (RASA_URLS, production profile).

Rasa 3.6's Redis lock store does not make two workers' turns of one conversation
atomic, so every conversation goes to one worker: the first of its rendezvous-hash
order (highest ``sha256(worker + conversation id)``) that is not marked down. Adding or
losing a worker moves only the conversations that were (or will be) on it. A worker
marked down is tried again after :data:`RETRY_SECONDS`; its conversations then return
(trackers live in the shared tracker store, so any worker can pick one up).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

RETRY_SECONDS = 5.0


class RasaWorkers:
    """The Rasa workers' base URLs and which are down."""

    def __init__(
        self,
        urls: list[str],
        *,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Route among ``urls`` (at least one)."""
        if not urls:
            raise ValueError("at least one Rasa worker URL is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self._retry = retry_seconds
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def order(self, conversation_id: str) -> list[str]:
        """Every worker, in this conversation's order of preference."""

        def weight(url: str) -> bytes:
            return hashlib.sha256(f"{url}\n{conversation_id}".encode()).digest()

        return sorted(self.urls, key=weight, reverse=True)

    def candidates(self, conversation_id: str) -> list[str]:
        """The workers to try, in order: those up first, then those marked down (a last
        resort, in case all were marked down at once)."""
        now = self._clock()
        ordered = self.order(conversation_id)
        up = [url for url in ordered if self._down_until.get(url, 0.0) <= now]
        return up + [url for url in ordered if url not in up]

    def pick(self, conversation_id: str) -> str:
        """The worker that serves ``conversation_id`` now."""
        return self.candidates(conversation_id)[0]

    def mark_down(self, url: str) -> None:
        """``url`` did not answer: route around it for a while."""
        self._down_until[url.rstrip("/")] = self._clock() + self._retry

    def mark_up(self, url: str) -> None:
        """``url`` answered."""
        self._down_until.pop(url.rstrip("/"), None)
