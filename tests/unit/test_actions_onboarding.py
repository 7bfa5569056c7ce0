"""Onboarding actions against the real platform app (in process, demo data): the
eligibility refusal in three languages, the whole flow by buttons up to the QA, the
menu export alert and "Retry menu export", permissions and typed confirms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.base import CatalogAction
from actions.onboarding import (
    ActionMenuExportRetry,
    ActionOnboardingBrand,
    ActionOnboardingStart,
    ActionOnboardingStores,
    ActionOnboardingUpdate,
    ActionOnboardProvider,
)
from tests.unit.platform_inprocess import (
    INTERNAL,
    InProcessPlatform,
    Messages,
    open_platform,
    pressed,
    run_action,
)
from tests.unit.platform_inprocess import find_button as find
from tests.unit.trackers import entity, external_tracker, payload_json

OLIVIA = "olivia@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"


@pytest.fixture(autouse=True)
def _no_qa_timer(monkeypatch):
    monkeypatch.setenv("ONBOARDING_QA_SECONDS", "0")


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[InProcessPlatform]:
    async with open_platform(demo_db_url, InProcessPlatform) as real:
        yield real


async def say(
    platform,
    action: type[CatalogAction],
    email: str,
    text: str,
    intent: str,
    entities: list | None = None,
) -> Messages:
    token = platform.token(email)
    messages, _ = await run_action(action(platform.client), token, text, intent, entities)
    return messages


async def press(platform, action: type[CatalogAction], email: str, button: dict) -> Messages:
    intent, entities = pressed(button)
    return await say(platform, action, email, button["payload"], intent, entities)


def text(messages: Messages) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


async def connect(platform, email: str, words: str, provider: str, location: str) -> Messages:
    entities = [entity("provider", provider, words), entity("location", location, words)]
    return await say(platform, ActionOnboardProvider, email, words, "onboard_provider", entities)


async def test_doordash_at_airport_is_refused_for_missing_menu_hours(platform):
    reply = text(
        await connect(platform, OLIVIA, "connect DoorDash at Airport", "DoorDash", "Airport")
    )
    assert "Airport can't be connected to DoorDash yet" in reply
    assert "Menu hours open at least 30 minutes a week" in reply
    assert "Fix: Add menu hours to the menu of Airport / Burger Barn" in reply


async def test_the_refusal_in_french_and_spanish(platform):
    fr = text(
        await connect(
            platform,
            OLIVIA,
            "connecte DoorDash à Airport pour moi s'il te plaît",
            "DoorDash",
            "Airport",
        )
    )
    assert "ne peut pas encore être connecté à DoorDash" in fr and "Solution :" in fr
    es = text(
        await connect(
            platform, OLIVIA, "por favor conecta DoorDash en Airport ahora", "DoorDash", "Airport"
        )
    )
    assert "aún no se puede conectar a DoorDash" in es and "Solución:" in es


async def test_the_whole_onboarding_by_buttons(platform):
    first = await connect(platform, OLIVIA, "connect Grubhub at Riverside", "Grubhub", "Riverside")
    assert "Riverside meets Grubhub's menu criteria" in text(first)
    sent = await press(
        platform, ActionOnboardingStart, OLIVIA, find(first, "Send me the sign-in link")
    )
    assert "secure one-time link to sign in to Grubhub" in text(sent)
    url = text(sent).split("http://", 1)[1].split()[0]
    page = await platform.http.post(
        urlsplit("http://" + url).path,
        data={"email": "gh@demo-kitchen.test", "password": "demo-password"},
    )
    assert page.status_code == 200
    dispatcher = CollectingDispatcher()
    await ActionOnboardingUpdate(platform.client).run(
        dispatcher,
        external_tracker(
            "onboarding_update",
            platform.token(OLIVIA),
            {"onboarding_event": "credentials_submitted"},
        ),
        {},
    )
    brand = dispatcher.messages
    assert "You're signed in to Grubhub" in text(brand)
    stores = await press(
        platform, ActionOnboardingBrand, OLIVIA, find(brand, "Merge with Taco Town")
    )
    assert "Which Grubhub store should I connect?" in text(stores)
    store_button = stores[0]["buttons"][0]
    assert store_button["title"].startswith("Riverside / Taco Town (GRUBHUB-")
    done = await press(platform, ActionOnboardingStores, OLIVIA, store_button)
    assert "Riverside / Taco Town is connected to Grubhub" in text(done)
    assert "quality checks (QA)" in text(done)
    onboarding_id = payload_json(store_button)["onboarding_id"]
    await platform.http.post(f"/internal/sandbox/onboardings/{onboarding_id}/qa", headers=INTERNAL)
    dispatcher = CollectingDispatcher()
    await ActionOnboardingUpdate(platform.client).run(
        dispatcher,
        external_tracker(
            "onboarding_update", platform.token(OLIVIA), {"onboarding_event": "qa_passed"}
        ),
        {},
    )
    assert "Grubhub has passed its QA for Riverside / Taco Town" in text(dispatcher.messages)
    assert "activate my Grubhub integration" in text(dispatcher.messages)


async def test_an_alert_and_retry_menu_export(platform):
    first = await connect(platform, OLIVIA, "connect Grubhub at Riverside", "Grubhub", "Riverside")
    sent = await press(
        platform, ActionOnboardingStart, OLIVIA, find(first, "Send me the sign-in link")
    )
    url = text(sent).split("http://", 1)[1].split()[0]
    await platform.http.post(
        urlsplit("http://" + url).path,
        data={"email": "gh@demo-kitchen.test", "password": "demo-password"},
    )
    brand = await say(
        platform,
        ActionOnboardingUpdate,
        OLIVIA,
        "where does my onboarding stand?",
        "onboarding_update",
    )
    stores = await press(platform, ActionOnboardingBrand, OLIVIA, find(brand, "Create a new brand"))
    store_button = stores[0]["buttons"][0]
    from bot.platform.models import Store

    store_ids = platform.query(lambda s: [st.id for st in s.scalars(select(Store))])
    newest = max(store_ids)  # the new brand's store
    fault = {"method": "menu_export", "target": str(newest), "error": "empty_menu"}
    assert (
        await platform.http.post("/internal/sandbox/faults", json=fault, headers=INTERNAL)
    ).status_code == 201
    alert = await press(platform, ActionOnboardingStores, OLIVIA, store_button)
    assert "Grubhub onboarding alert — Empty menu (Riverside / Taco Town (Grubhub))" in text(alert)
    typed = await say(
        platform,
        ActionMenuExportRetry,
        OLIVIA,
        "I added items to the menu, export it again",
        "menu_export_retry",
    )
    assert 'press "Retry menu export"' in text(typed)
    assert platform.audit("menu.retry_export") == []  # typed words ran nothing
    retried = await press(platform, ActionMenuExportRetry, OLIVIA, find(typed, "Retry menu export"))
    assert "is connected to Grubhub" in text(retried)
    assert len(platform.audit("menu.retry_export")) == 1


async def test_sofia_may_not_and_is_told_who_can(platform):
    reply = text(
        await connect(platform, SOFIA, "conecta Grubhub en Riverside", "Grubhub", "Riverside")
    )
    assert "Olivia Owner" in reply


async def test_hank_cannot_use_our_onboarding_button(platform):
    first = await connect(platform, OLIVIA, "connect Grubhub at Riverside", "Grubhub", "Riverside")
    button = find(first, "Send me the sign-in link")
    reply = text(await press(platform, ActionOnboardingStart, HANK, button))
    assert "http" not in reply and "Grubhub" not in reply


async def test_already_connected_points_to_activation(platform):
    reply = text(
        await connect(platform, OLIVIA, "connect DoorDash at Riverside", "DoorDash", "Riverside")
    )
    assert "DoorDash is already connected at Riverside / Taco Town (DoorDash — Riverside)" in reply
    assert "activate my DoorDash integration" in reply


async def test_a_location_named_but_not_tagged_is_found(platform):
    words = "connect DoorDash at Airport"
    entities = [entity("provider", "DoorDash", words)]
    reply = text(
        await say(platform, ActionOnboardProvider, OLIVIA, words, "onboard_provider", entities)
    )
    assert "Airport can't be connected to DoorDash yet" in reply


async def test_no_location_asks_for_one(platform):
    words = "connect a new DoorDash account"
    entities = [entity("provider", "DoorDash", words)]
    reply = text(
        await say(platform, ActionOnboardProvider, OLIVIA, words, "onboard_provider", entities)
    )
    assert "At which location should I connect DoorDash?" in reply
    assert "Airport, Downtown and Riverside" in reply
