"""Fixtures for running the platform API app against a demo database of its own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.identity import Identity, sign_identity
from bot.platform.api import create_app
from bot.platform.db import make_engine, session_factory
from bot.platform.models import User

IDENTITY_SECRET = "test-identity-secret-0123456789abcdef-0123456789"
INTERNAL_TOKEN = "test-internal-token-0123456789abcdef"
CREDENTIALS_KEY = "dGVzdC1jcmVkZW50aWFscy1rZXktMzItYnl0ZXMhISE="  # a Fernet key (32 bytes)


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for a test app: explicit secrets, no ``.env``."""
    values: dict[str, object] = {
        "database_url": database_url,
        "identity_secret": SecretStr(IDENTITY_SECRET),
        "internal_token": SecretStr(INTERNAL_TOKEN),
        "credentials_key": SecretStr(CREDENTIALS_KEY),
        "demo_mode": True,
        "alert_dispatcher": False,  # tests run dispatchers themselves (run_once)
        "retention_job": False,  # likewise the retention job
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(demo_db_url) -> Settings:
    """Settings pointing at this test's demo database."""
    return make_settings(demo_db_url)


@pytest.fixture
def user_ids(demo_db_url) -> dict[str, int]:
    """Demo users' ids by e-mail."""
    engine = make_engine(demo_db_url)
    try:
        with session_factory(engine)() as session:
            return {email: uid for email, uid in session.execute(select(User.email, User.id))}
    finally:
        engine.dispose()


@pytest.fixture
def token_for(user_ids) -> Callable[..., str]:
    """Mint an identity token for a demo user (by e-mail), as the gateway would."""

    def mint(email: str, *, secret: str = IDENTITY_SECRET, ttl: int = 300) -> str:
        identity = Identity(user_ids[email], conversation_id="test-conversation", channel="web")
        return sign_identity(identity, secret, ttl)

    return mint


@asynccontextmanager
async def open_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking in-process to a new app built with ``settings``."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as c:
            yield c
    finally:
        app.state.platform.dispose()


@pytest.fixture
async def client(settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a fresh app on this test's demo database."""
    async with open_client(settings) as c:
        yield c


@pytest.fixture
def client_with(demo_db_url) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """A client for an app on this test's database with other settings.

    Usage: ``async with client_with(demo_mode=False) as c: ...``
    """

    def build(**overrides: object) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return open_client(make_settings(demo_db_url, **overrides))

    return build


@pytest.fixture
def identity_secret() -> str:
    """The identity-token secret the test apps use."""
    return IDENTITY_SECRET


@pytest.fixture
def internal_headers() -> dict[str, str]:
    """The ``Authorization`` header of an internal call with the right token."""
    return {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


# --- repair (pairing page, gateway notifications) ------------------------------------


@dataclass
class GatewayStandIn:
    """A stand-in for the gateway's internal endpoint: records what the platform sends."""

    status_code: int = 202
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Record the request and answer with ``status_code``."""
        self.requests.append(request)
        return httpx.Response(self.status_code, json={"status": "accepted"})

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that routes the platform's calls here."""
        return httpx.MockTransport(self.handle)

    def bodies(self) -> list[dict]:
        """The JSON bodies received, in order."""
        return [json.loads(request.content) for request in self.requests]


@pytest.fixture
def gateway() -> GatewayStandIn:
    """The gateway stand-in the ``repair_client`` apps notify."""
    return GatewayStandIn()


@asynccontextmanager
async def open_repair_client(
    settings: Settings, gateway: GatewayStandIn
) -> AsyncIterator[httpx.AsyncClient]:
    """Like :func:`open_client`, with the platform's gateway calls going to ``gateway``."""
    app = create_app(settings, gateway_transport=gateway.transport())
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as c:
            yield c
    finally:
        app.state.platform.dispose()


@pytest.fixture
async def repair_client(settings, gateway) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a fresh app whose gateway notifications go to ``gateway``."""
    async with open_repair_client(settings, gateway) as c:
        yield c


@pytest.fixture
def repair_client_with(
    demo_db_url, gateway
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``repair_client`` with other settings: ``async with repair_client_with(x=1) as c``."""

    def build(**overrides: object) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return open_repair_client(make_settings(demo_db_url, **overrides), gateway)

    return build


@pytest.fixture
def auth_for(user_ids) -> Callable[..., dict[str, str]]:
    """The ``Authorization`` header of a demo user (by e-mail) in a given conversation."""

    def headers(email: str, conversation_id: str = "conv-1", channel: str = "web") -> dict:
        identity = Identity(user_ids[email], conversation_id=conversation_id, channel=channel)
        return {"Authorization": f"Bearer {sign_identity(identity, IDENTITY_SECRET, 300)}"}

    return headers


@pytest.fixture
def sessions(demo_db_url) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's demo database."""
    engine = make_engine(demo_db_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
async def widgets() -> AsyncIterator[list[Any]]:
    """The web chats (socket.io clients at ``.client``) a test opened, disconnected after it."""
    opened: list[Any] = []
    yield opened
    for widget in opened:
        await widget.client.disconnect()


@pytest.fixture
def read_db(demo_db_url) -> Callable[[Callable[[Session], object]], object]:
    """Run ``fn(session)`` on a fresh session of this test's database and return its result."""

    def run(fn: Callable[[Session], object]) -> object:
        engine = make_engine(demo_db_url)
        try:
            with session_factory(engine)() as session:
                return fn(session)
        finally:
            engine.dispose()

    return run
