"""InternalPlatformClient's channel calls (Telegram links, phones, SMS opt-outs, receipts)
against the real platform app in process, on a demo database: the return shapes the
Telegram and SMS channels code against."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.internal_client import InternalPlatformClient
from bot.platform.api import create_app
from bot.platform.demo import load_demo
from bot.platform_client import PlatformError, PlatformUnauthorized
from tests.integration.conftest import INTERNAL_TOKEN, make_settings

TG, CHAT = 424242, -1001234567890


@pytest.fixture
async def internal(sqlite_url) -> AsyncIterator[InternalPlatformClient]:
    """The client, talking to a fresh platform app on a demo database."""
    load_demo(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    transport = httpx.ASGITransport(app=app)
    client = InternalPlatformClient("http://platform.test", INTERNAL_TOKEN, transport=transport)
    yield client
    await client.aclose()
    app.state.platform.dispose()


async def test_link_with_a_code_then_unlink(internal):
    olivia = await internal.user_by_phone("+15550000001")
    minted = await internal.telegram_link_code(olivia["id"])
    assert set(minted) == {"code", "expires_at"}
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", minted["code"])
    assert await internal.telegram_link_code(999999) is None

    assert await internal.telegram_user(TG) is None
    linked = await internal.link_telegram(minted["code"], TG, CHAT)
    assert linked == olivia
    assert await internal.telegram_user(TG) == olivia
    assert await internal.link_telegram(minted["code"], TG + 1, CHAT) is None  # used up

    assert await internal.unlink_telegram(TG) is True
    assert await internal.unlink_telegram(TG) is False
    assert await internal.telegram_user(TG) is None


async def test_link_with_a_contact(internal):
    hank = await internal.link_telegram_contact("15550000009", TG, TG)
    assert (hank["email"], hank["organization"]["name"]) == (
        "hank@harbor-pizza.test",
        "Harbor Pizza",
    )
    assert await internal.telegram_user(TG) == hank
    assert await internal.link_telegram_contact("+15559999999", TG + 1, TG + 1) is None
    with pytest.raises(PlatformError) as refused:
        await internal.link_telegram_contact("not a phone", TG + 1, TG + 1)
    assert (refused.value.status, refused.value.code) == (422, "invalid_phone")


async def test_users_by_phone(internal):
    marc = await internal.user_by_phone("+1 555 000 0002")
    assert (marc["name"], marc["language"]) == ("Marc Manager", "fr")
    assert await internal.user_by_phone("+15559999999") is None
    assert await internal.user_by_phone("DemoKitchen") is None  # an alphanumeric sender id


async def test_sms_opt_outs(internal):
    assert await internal.sms_opted_out("+15550000001") is False
    stop = await internal.set_sms_opt_out("15550000001", True)
    assert stop == {"phone": "+15550000001", "opted_out": True}
    assert await internal.sms_opted_out("+15550000001") is True
    start = await internal.set_sms_opt_out("+15550000001", False)
    assert start == {"phone": "+15550000001", "opted_out": False}
    assert await internal.sms_opted_out("+15550000001") is False


async def test_first_receipt(internal):
    assert await internal.first_receipt("telegram", 1001) is True
    assert await internal.first_receipt("telegram", "1001") is False
    assert await internal.first_receipt("sms", "SMabc") is True
    assert await internal.first_receipt("sms", "SMabc") is False
    with pytest.raises(PlatformError) as refused:
        await internal.first_receipt("email", "x")
    assert (refused.value.status, refused.value.code) == (422, "bad_request")


async def test_a_wrong_token_raises(sqlite_url):
    load_demo(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    transport = httpx.ASGITransport(app=app)
    client = InternalPlatformClient("http://platform.test", "wrong", transport=transport)
    try:
        for call in (
            client.telegram_link_code(1),
            client.link_telegram("AAAAAAAAAAAA", TG, CHAT),
            client.link_telegram_contact("+15550000001", TG, CHAT),
            client.telegram_user(TG),
            client.unlink_telegram(TG),
            client.user_by_phone("+15550000001"),
            client.sms_opted_out("+15550000001"),
            client.set_sms_opt_out("+15550000001", True),
            client.first_receipt("sms", "SM1"),
        ):
            with pytest.raises(PlatformUnauthorized):
                await call
    finally:
        await client.aclose()
        app.state.platform.dispose()
