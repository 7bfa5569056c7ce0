"""Per-app state: the settings and the database engine, created on first use."""

from __future__ import annotations

import asyncio
import threading
import weakref

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, get_settings
from bot.platform.db import make_engine, session_factory


class PlatformState:
    """Holds one app's settings and creates its engine lazily (never at import time)."""

    def __init__(
        self,
        settings: Settings | None = None,
        gateway_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        # How the platform reaches the gateway (None: the network; tests pass a stand-in).
        self.gateway_transport = gateway_transport
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()

    @property
    def settings(self) -> Settings:
        """The app's settings (the process settings unless some were given)."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    def sessions(self) -> sessionmaker[Session]:
        """The session factory, creating the engine from ``DATABASE_URL`` on first call."""
        if self._sessions is None:
            with self._lock:
                if self._sessions is None:
                    size = self.settings.db_pool_size
                    # as many again for what runs outside requests (alert dispatcher,
                    # retention, metrics, provider calls past their deadline)
                    self._engine = make_engine(
                        self.settings.database_url, pool_size=size, max_overflow=size
                    )
                    self._sessions = session_factory(self._engine)
        return self._sessions

    def request_slots(self) -> asyncio.Semaphore:
        """How many requests may hold a database session at once (``DB_POOL_SIZE``), for
        the running event loop.

        A request takes a slot before its session, waiting on the event loop with no
        worker thread. Without it, a busy moment deadlocks: FastAPI moves a request that
        holds a connection to another worker thread (to serialise its answer), and when
        every worker thread waits for a pooled connection, no holder gets a thread to give
        its connection back.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            slots = self._slots.get(loop)
            if slots is None:
                slots = self._slots[loop] = asyncio.Semaphore(self.settings.db_pool_size)
            return slots

    def dispose(self) -> None:
        """Close the engine's connections (it is created again when next needed)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._sessions = None
