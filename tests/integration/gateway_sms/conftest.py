"""Fixtures of the SMS channel tests: signed Twilio webhooks in, real twilio client out.

The gateway runs under uvicorn on a free port with the SMS channel on; the platform is
the real platform app (in process, on a fresh demo database); Rasa is an httpx
MockTransport stand-in speaking its REST webhook protocol and recording what it gets;
replies go out through the official twilio client to the local Twilio stand-in
(:class:`bot.devtools.fake_twilio.FakeTwilioServer`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
import redis
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.gateway.app import create_app
from bot.platform.api import create_app as create_platform_app
from bot.platform.db import make_engine, session_factory
from bot.platform.demo import load_demo
from bot.platform.models import User
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings
from tests.integration.gateway_sms.stack import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    SUPPORT,
    RasaStandIn,
    SmsStack,
)
from tests.integration.test_gateway_webchat import serve


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilioServer]:
    server = FakeTwilioServer(ACCOUNT_SID)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def sms(sqlite_url, twilio) -> AsyncIterator[SmsStack]:
    """The gateway (SMS on) with the real platform in process and Rasa stood in."""
    async with sms_gateways(sqlite_url, twilio, 1) as (stack,):
        yield stack


@pytest.fixture
async def sms_pair(sqlite_url, twilio, redis_url) -> AsyncIterator[tuple[SmsStack, SmsStack]]:
    """Two gateway processes (production profile: one Redis) in front of one platform,
    one Rasa and one Twilio; a webhook may reach either (Redis db 9, apart from others)."""
    url = redis_url.rsplit("/", 1)[0] + "/9"
    async with sms_gateways(sqlite_url, twilio, 2, redis_url=url) as (a, b):
        yield a, b
    client = redis.Redis.from_url(url)
    try:  # the demo's conversations are the same in every run: start the next one afresh
        for key in client.scan_iter(match="ma:*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
async def sms_without_redis(sqlite_url, twilio) -> AsyncIterator[SmsStack]:
    """The production profile's gateway while its Redis is unreachable."""
    async with sms_gateways(sqlite_url, twilio, 1, redis_url="redis://127.0.0.1:1/0") as (s,):
        yield s


@asynccontextmanager
async def sms_gateways(
    sqlite_url: str, twilio: FakeTwilioServer, count: int, redis_url: str = ""
) -> AsyncIterator[tuple[SmsStack, ...]]:
    """``count`` gateways (SMS on) sharing the platform (in process), Rasa's stand-in and
    Twilio's; ``redis_url`` set: the production profile's shared locks and state."""
    load_demo(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        ids = {phone: uid for phone, uid in session.execute(select(User.phone, User.id))}
    engine.dispose()
    platform_app = create_platform_app(make_settings(sqlite_url))
    platform_transport = httpx.ASGITransport(app=platform_app)
    rasa = RasaStandIn()
    settings = Settings(
        _env_file=None,
        session_secret=SecretStr("test-session-secret-0123456789abcdef"),
        identity_secret=SecretStr(IDENTITY_SECRET),
        internal_token=SecretStr(INTERNAL_TOKEN),
        platform_url="http://platform.test",
        rasa_url="http://rasa.test",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        twilio_api_base_url=twilio.url,
        sms_public_url=PUBLIC_URL,
        support_phone=SUPPORT,
        redis_url=redis_url,
    )
    twilio.clear()
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    async with AsyncExitStack() as running:
        platform = await running.enter_async_context(
            httpx.AsyncClient(
                transport=platform_transport, base_url="http://platform.test", headers=headers
            )
        )
        stacks = []
        for _ in range(count):
            gateway = create_app(
                settings,
                platform_transport=platform_transport,
                rasa_transport=httpx.MockTransport(rasa.handle),
            )
            url = await running.enter_async_context(serve(gateway))
            stacks.append(SmsStack(url, platform, rasa, twilio, ids))
        yield tuple(stacks)
    platform_app.state.platform.dispose()
