"""action_contact_support against the real platform app on the demo data: the user asks
for a person, a handoff is opened for the conversation and Rasa's tracker is paused;
what the user reads depends on the support hours and on who is online (en/fr/es).

Demo: Olivia (en), Marc (fr), Sofia (es); agents Sam Support and Ana Agent, offline.
Support hours are set around "now" in New York so that now is inside or outside them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.support import ActionContactSupport
from actions.support_render import when_back
from bot.platform.api import create_app
from bot.platform.models import Agent, Handoff
from bot.platform_client import PlatformClient
from tests.integration.conftest import make_settings
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.platform_inprocess import INTERNAL, InProcessPlatform
from tests.unit.trackers import tracker

OLIVIA, MARC, SOFIA = (
    "olivia@demo-kitchen.test",
    "marc@demo-kitchen.test",
    "sofia@demo-kitchen.test",
)
PHONE = "+15550001000"
ZONE = ZoneInfo("America/New_York")
PAUSE = {"event": "pause", "timestamp": None}


def hours_around_now() -> str:
    now = datetime.now(ZONE)
    return f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"


def hours_later() -> tuple[str, datetime]:
    """Support hours starting two to three hours from now (New York), and that start."""
    start = (datetime.now(ZONE) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    return f"{start:%H:%M}-{start + timedelta(hours=1):%H:%M}", start


@asynccontextmanager
async def platform_with_hours(db_url: str, hours: str) -> AsyncIterator[InProcessPlatform]:
    app = create_app(make_settings(db_url, support_hours=hours))
    transport = httpx.ASGITransport(app=app)
    client = PlatformClient("http://platform.test", transport=transport)
    async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as http:
        yield InProcessPlatform(client, http, db_url)
    await client.aclose()
    app.state.platform.dispose()


async def put_online(platform: InProcessPlatform, email: str) -> None:
    statement = select(Agent.id).where(Agent.email == email)
    agent_id = platform.query(lambda s: s.scalars(statement).one())
    response = await platform.http.post(
        f"/internal/agents/{agent_id}/online", json={"online": True}, headers=INTERNAL
    )
    assert response.status_code == 200, response.text


def handoffs(platform: InProcessPlatform) -> list[dict]:
    def read(session) -> list[dict]:
        rows = session.scalars(select(Handoff).order_by(Handoff.id))
        return [
            {
                "conversation_id": row.conversation_id,
                "channel": row.channel,
                "language": row.language,
                "reason": row.reason,
                "state": row.state,
                "packet": json.dumps(row.packet, ensure_ascii=False),
            }
            for row in rows
        ]

    return platform.query(read)


def conversation(
    text: str, token: str, earlier: list[tuple[str, str]], slots: dict | None = None
) -> Tracker:
    """A tracker whose events hold ``earlier`` (event, text) then the latest message."""
    latest = tracker(text, "contact_support", token, slots=slots)
    events = [{"event": kind, "text": said} for kind, said in earlier]
    events.append({"event": "user", "text": text, "metadata": latest.latest_message["metadata"]})
    return Tracker(
        latest.sender_id,
        slots or {},
        latest.latest_message,
        events,
        False,
        None,
        {},
        "action_listen",
    )


async def contact(
    client: PlatformClient,
    token: str | None,
    text: str,
    earlier: list[tuple[str, str]] | None = None,
    slots: dict | None = None,
) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    action = ActionContactSupport(client)
    shape = conversation(text, token, earlier or [], slots) if token else tracker(text, "x", None)
    events = await action.run(dispatcher, shape, {})
    return [m["text"] for m in dispatcher.messages], events


async def test_in_hours_with_sam_online_a_person_takes_over_and_the_bot_pauses(
    demo_db_url,
) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        await put_online(platform, "sam@support.test")
        earlier = [("user", "DoorDash keeps failing at Downtown"), ("bot", "DoorDash — main…")]
        texts, events = await contact(
            platform.client, platform.token(OLIVIA), "I want to talk to a person", earlier
        )
        assert texts == [
            "I've asked a person from our support team to take over this conversation: "
            "they'll answer here shortly, and I'll stay quiet until then. "
            'Say "cancel" if you\'d rather come back to me.',
            f"You can also text our support team at {PHONE}.",
        ]
        assert PAUSE in events
        [row] = handoffs(platform)
        assert row | {"packet": ""} == {
            "conversation_id": "conv-1",
            "channel": "web",
            "language": "en",
            "reason": "asked",
            "state": "waiting",
            "packet": "",
        }
        assert "DoorDash keeps failing at Downtown" in row["packet"]


async def test_asking_twice_keeps_one_open_handoff(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        token = platform.token(OLIVIA)
        await contact(platform.client, token, "talk to a human")
        texts, events = await contact(platform.client, token, "talk to a human")
        assert texts[0].startswith("Nobody from our support team is online right now.")
        assert PAUSE in events
        assert len(handoffs(platform)) == 1


async def test_in_hours_nobody_online_in_french(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        texts, events = await contact(
            platform.client, platform.token(MARC), "je veux parler à quelqu'un du support"
        )
        assert texts == [
            "Personne de notre équipe support n'est en ligne pour le moment. Votre conversation "
            "reste dans leur file d'attente et la première personne connectée vous répondra ici. "
            "Dites « annuler » si vous préférez revenir vers moi.\n"
            "Je peux aussi vous envoyer un SMS au •••• 0002 quand quelqu'un de notre équipe "
            "support sera de retour, ou vous pouvez rester ici dans la file d'attente.",
            f"Vous pouvez aussi écrire par SMS à notre équipe support au {PHONE}.",
        ]
        assert PAUSE in events
        assert [(r["language"], r["state"]) for r in handoffs(platform)] == [("fr", "waiting")]


async def test_outside_hours_in_spanish_says_when_someone_is_back(demo_db_url) -> None:
    hours, start = hours_later()
    async with platform_with_hours(demo_db_url, hours) as platform:
        await put_online(platform, "ana@support.test")  # online, but outside hours
        texts, events = await contact(
            platform.client, platform.token(SOFIA), "quiero hablar con una persona de soporte"
        )
    day = "hoy" if start.date() == datetime.now(ZONE).date() else "mañana"
    assert texts[0] == (
        "Nuestro equipo de soporte está desconectado (fuera del horario de soporte). "
        f"Alguien volverá {day} a las {start.hour}:00 (hora de New York). "
        "Su conversación sigue en su cola hasta entonces. "
        "Diga «cancelar» si prefiere volver conmigo.\n"
        "También puedo enviarle un SMS al •••• 0003 cuando alguien de nuestro equipo de "
        "soporte vuelva, o puede seguir esperando aquí en la cola."
    )
    assert texts[1] == f"También puede enviar un SMS a nuestro equipo de soporte al {PHONE}."
    assert PAUSE in events


async def test_the_providers_contact_for_the_account_under_repair(demo_db_url) -> None:
    async with platform_with_hours(demo_db_url, hours_around_now()) as platform:
        texts, events = await contact(
            platform.client,
            platform.token(SOFIA),
            "necesito ayuda de soporte",
            slots={"repair_account": "dr-river"},
        )
    assert len(texts) == 3
    assert texts[2].startswith(
        "Para Deliveroo — Riverside, también puede contactar con Deliveroo: "
    )
    assert PAUSE in events


async def test_platform_down_says_so_with_the_number_and_does_not_pause() -> None:
    down = PlatformStandIn(available=False)
    texts, events = await contact(down.client(), "tok-olivia", "talk to a human please")
    assert texts == [
        "I can't reach our support team's queue right now. "
        f"Please text them at {PHONE}, or ask me again in a minute."
    ]
    assert PAUSE not in events


async def test_without_identity_only_the_number() -> None:
    texts, events = await contact(PlatformStandIn().client(), None, "talk to a human")
    assert texts == [f"To reach our support team, send a text message to {PHONE}."]
    assert PAUSE not in events


NOW = datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc)  # Tuesday 18:30 in New York


@pytest.mark.parametrize(
    ("lang", "iso", "expected"),
    [
        ("en", "2026-11-24T23:45:00Z", "today at 6:45 PM (New York time)"),
        ("fr", "2026-11-25T13:00:00Z", "demain à 8h00 (heure de New York)"),
        ("es", "2026-11-27T13:00:00+00:00", "el viernes a las 8:00 (hora de New York)"),
        ("en", None, ""),
        ("en", "not a time", ""),
    ],
)
def test_when_support_is_back_in_the_support_time_zone(
    lang: str, iso: str | None, expected: str
) -> None:
    assert when_back(lang, iso, "America/New_York", now=NOW) == expected
