"""Per-app state: the settings and the database engine, created on first use."""

from __future__ import annotations

import threading

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
                    self._engine = make_engine(self.settings.database_url)
                    self._sessions = session_factory(self._engine)
        return self._sessions

    def dispose(self) -> None:
        """Close the engine's connections (it is created again when next needed)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._sessions = None
