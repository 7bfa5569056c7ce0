"""The handoff calls of PlatformClient (the action server) and InternalPlatformClient (the
gateway and its console) against the real platform app in process, on a demo database:
the return shapes and refusals the gateway and the console code against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.identity import Identity, sign_identity
from bot.internal_client import InternalPlatformClient
from bot.platform.api import create_app
from bot.platform.demo import load_demo
from bot.platform_client import PlatformClient, PlatformError
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings


@dataclass
class Clients:
    """Both clients on one app."""

    actions: PlatformClient
    internal: InternalPlatformClient


@pytest.fixture
async def clients(sqlite_url) -> AsyncIterator[Clients]:
    load_demo(sqlite_url)
    app = create_app(make_settings(sqlite_url, support_hours="00:00-24:00"))
    transport = httpx.ASGITransport(app=app)
    both = Clients(
        PlatformClient("http://platform.test", transport=transport),
        InternalPlatformClient("http://platform.test", INTERNAL_TOKEN, transport=transport),
    )
    yield both
    await both.actions.aclose()
    await both.internal.aclose()
    app.state.platform.dispose()


def token(user_id: int, conversation_id: str, channel: str = "web") -> str:
    return sign_identity(Identity(user_id, conversation_id, channel), IDENTITY_SECRET, 300)


async def test_from_open_to_hand_back(clients):
    olivia = await clients.internal.user_by_email("olivia@demo-kitchen.test")
    transcript = [{"sender": "user", "text": "my password is hunter2"}]
    opened = await clients.actions.open_handoff(
        token(olivia["id"], "conv-c"), "asked", "en", transcript
    )
    assert opened["state"] == "waiting" and opened["conversation_id"] == "conv-c"
    assert opened["availability"] == {"open": True, "agents_online": 0, "next_open_at": None}
    again = await clients.actions.open_handoff(token(olivia["id"], "conv-c"), "asked", "en", [])
    assert again["id"] == opened["id"]

    assert (await clients.internal.active_handoff("conv-c"))["id"] == opened["id"]
    assert await clients.internal.active_handoff("conv-none") is None

    sam = await clients.internal.agent_login("sam@support.test", "agent-demo-1")
    assert sam["name"] == "Sam Support"
    assert await clients.internal.agent_login("sam@support.test", "wrong") is None
    assert await clients.internal.agent_login("who@support.test", "agent-demo-1") is None
    ana = await clients.internal.agent_login("ana@support.test", "agent-demo-2")
    assert (await clients.internal.set_agent_online(sam["id"], True))["online"] is True
    assert await clients.internal.set_agent_online(999999, True) is None

    queue = await clients.internal.handoffs_queue()
    assert [item["id"] for item in queue] == [opened["id"]]
    taken = await clients.internal.take_handoff(opened["id"], sam["id"])
    assert taken["agent"]["name"] == "Sam Support"
    with pytest.raises(PlatformError) as late:
        await clients.internal.take_handoff(opened["id"], ana["id"])
    assert (late.value.status, late.value.code) == (409, "already_taken")
    assert late.value.detail["agent"]["name"] == "Sam Support"

    said = await clients.internal.handoff_message(opened["id"], "user", "code 246810")
    assert said["text"] == "code [redacted]"
    reply = await clients.internal.handoff_message(opened["id"], "agent", "On it.", sam["id"])
    assert reply["agent"]["name"] == "Sam Support"
    with pytest.raises(PlatformError) as not_yours:
        await clients.internal.handoff_message(opened["id"], "agent", "me?", ana["id"])
    assert not_yours.value.code == "not_yours"

    detail = await clients.internal.handoff(opened["id"])
    assert detail["packet"]["recent_messages"] == [
        {"sender": "user", "text": "my password is [redacted]"}
    ]
    assert [m["sender"] for m in detail["messages"]] == ["system", "user", "agent"]
    assert await clients.internal.handoff(999999) is None

    back = await clients.internal.return_handoff(opened["id"], sam["id"])
    assert back["state"] == "returned"
    with pytest.raises(PlatformError) as over:
        await clients.internal.close_handoff(opened["id"], sam["id"])
    assert over.value.code == "not_open"


async def test_the_gateway_opens_and_the_user_cancels(clients):
    hank = await clients.internal.user_by_email("hank@harbor-pizza.test")
    opened = await clients.internal.open_handoff("sms:hank", hank["id"], "sms", "en", "fallbacks")
    assert (opened["reason"], opened["channel"]) == ("fallbacks", "sms")
    assert await clients.internal.open_handoff("x", 999999, "web", "en", "asked") is None
    cancelled = await clients.internal.cancel_handoff(opened["id"])
    assert cancelled["state"] == "cancelled"
    with pytest.raises(PlatformError) as twice:
        await clients.internal.cancel_handoff(opened["id"])
    assert (twice.value.status, twice.value.code) == (409, "not_open")
    assert await clients.internal.cancel_handoff(999999) is None
    sam = await clients.internal.agent_login("sam@support.test", "agent-demo-1")
    closed = await clients.internal.handoffs_queue(("cancelled",))
    assert [item["id"] for item in closed] == [opened["id"]]
    assert await clients.internal.take_handoff(999999, sam["id"]) is None
