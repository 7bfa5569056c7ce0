"""action_dispatch_why against the real platform app (in process): every row of DEMO.md's
dispatch table in English, French and Spanish, the fix buttons, Hank and unknown orders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.dispatch import ActionDispatchWhy
from bot.identity import Identity, sign_identity
from bot.platform.api import create_app
from bot.platform.db import make_engine, session_factory
from bot.platform.demo import load_demo
from bot.platform.models import User
from bot.platform_client import PlatformClient
from tests.integration.conftest import IDENTITY_SECRET, make_settings
from tests.unit.trackers import entity, tracker

EMAILS = {
    "olivia": "olivia@demo-kitchen.test",
    "marc": "marc@demo-kitchen.test",
    "sofia": "sofia@demo-kitchen.test",
    "hank": "hank@harbor-pizza.test",
}


@dataclass
class RealPlatform:
    """The platform app in process, a client for the actions, and identity tokens."""

    client: PlatformClient
    http: httpx.AsyncClient
    tokens: dict[str, str]
    gateway: list[httpx.Request]
    read: Callable[[Callable[[Any], Any]], Any]


@asynccontextmanager
async def open_real_platform(sqlite_url: str) -> AsyncIterator[RealPlatform]:
    """A demo database, the platform app on it, and tokens for each demo user."""
    load_demo(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        ids = {email: uid for email, uid in session.execute(select(User.email, User.id))}
    sent: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202, json={})

    app = create_app(make_settings(sqlite_url), gateway_transport=httpx.MockTransport(gateway))
    transport = httpx.ASGITransport(app=app)
    tokens = {
        name: sign_identity(Identity(ids[email], "web:conv-1", "web"), IDENTITY_SECRET, 600)
        for name, email in EMAILS.items()
    }

    def read(fn: Callable[[Any], Any]) -> Any:
        with session_factory(engine)() as session:
            return fn(session)

    client = PlatformClient("http://platform.test", transport=transport)
    async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as http:
        yield RealPlatform(client, http, tokens, sent, read)
    await client.aclose()
    app.state.platform.dispose()
    engine.dispose()


@pytest.fixture
async def platform(sqlite_url) -> AsyncIterator[RealPlatform]:
    """The platform app in process on a fresh demo database."""
    async with open_real_platform(sqlite_url) as real:
        yield real


async def ask(
    platform: RealPlatform, who: str, text: str, entities: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Run action_dispatch_why for ``text`` sent by ``who``; the bot's messages."""
    dispatcher = CollectingDispatcher()
    await ActionDispatchWhy(platform.client).run(
        dispatcher, tracker(text, "dispatch_why", platform.tokens[who], entities), {}
    )
    return dispatcher.messages


def order(text: str, ref: str) -> list[dict[str, Any]]:
    return [entity("order_ref", ref, text)]


# DEMO.md's dispatch table: order -> words of the expected answer (English).
EXPECTED = {
    "F-7001": "Order F-7001 (Downtown) was sent to OTO.",
    "F-7002": "The customer has no delivery address on the order.",
    "F-7003": "It is not a delivery order",
    "F-7004": "Branch Airport is inactive for OTO",
    "F-7005": "Send the order to the kitchen first",
    "F-7006": "The cashier still has the order open",
}


@pytest.mark.parametrize("ref", sorted(EXPECTED))
async def test_every_row_of_the_dispatch_table(platform, ref) -> None:
    text = f"why wasn't order {ref} sent to OTO?"
    [message] = await ask(platform, "olivia", text, order(text, ref))
    assert EXPECTED[ref] in message["text"]
    if ref != "F-7001":
        assert message["text"].startswith(f"Order {ref} (")
        assert "was not sent to OTO:\n• " in message["text"]
        assert "Fix: " in message["text"]


async def test_the_answer_is_in_french_and_spanish(platform) -> None:
    text = "pourquoi la commande F-7002 n'a pas été envoyée à OTO ?"
    [fr] = await ask(platform, "marc", text, order(text, "F-7002"))
    assert fr["text"] == (
        "La commande F-7002 (Downtown) n'a pas été envoyée à OTO :\n"
        "• Le client n'a pas d'adresse de livraison sur la commande. "
        "Solution : Ajoutez l'adresse de livraison du client à la commande."
    )
    text = "¿por qué no se envió el pedido F-7005 a OTO?"
    [es] = await ask(platform, "sofia", text, order(text, "F-7005"))
    assert es["text"].startswith("El pedido F-7005 (Riverside) no se envió a OTO:\n• ")
    assert "Envíe primero el pedido a cocina" in es["text"]


async def test_an_inactive_branch_gets_a_button_for_those_who_may_activate_it(platform) -> None:
    text = "why was order F-7004 not sent to OTO"
    [olivia] = await ask(platform, "olivia", text, order(text, "F-7004"))
    assert olivia["buttons"] == [
        {
            "title": "Activate OTO at Airport",
            "payload": '/oto_branch_activate{"location":"Airport"}',
        }
    ]
    [sofia] = await ask(platform, "sofia", text, order(text, "F-7004"))
    assert sofia["buttons"] == []
    assert "Airport" in sofia["text"]


async def test_the_order_is_found_in_the_text_when_the_nlu_missed_it(platform) -> None:
    [message] = await ask(platform, "olivia", "why isn't f-7003 at OTO")
    assert "Order F-7003 (Downtown) was not sent to OTO" in message["text"]


async def test_hank_gets_the_same_answer_as_for_an_unknown_order(platform) -> None:
    [hank] = await ask(platform, "hank", "why wasn't F-7002 sent to OTO?")
    [unknown] = await ask(platform, "olivia", "why wasn't F-9999 sent to OTO?")
    assert hank["text"] == (
        "I couldn't find order F-7002 among your organization's orders. "
        "Please check the number (for example F-7002)."
    )
    assert unknown["text"] == hank["text"].replace("F-7002 among", "F-9999 among")
    assert "Downtown" not in hank["text"]


async def test_no_order_named_asks_which(platform) -> None:
    [message] = await ask(platform, "olivia", "why aren't my orders sent to OTO?")
    assert message["text"].startswith("Which order do you mean?")


async def test_an_unidentified_sender_gets_general_help_only(platform) -> None:
    dispatcher = CollectingDispatcher()
    text = "why wasn't order F-7002 sent to OTO?"
    await ActionDispatchWhy(platform.client).run(
        dispatcher, tracker(text, "dispatch_why", None, order(text, "F-7002")), {}
    )
    assert "Downtown" not in " ".join(m["text"] for m in dispatcher.messages)
