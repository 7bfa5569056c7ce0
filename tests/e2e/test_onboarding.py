"""Onboarding end to end over the web chat: "connect DoorDash at Airport" refused for
missing menu hours (English, French, Spanish), who may onboard, and the whole flow for
Grubhub at Riverside — sign-in link (the pairing page), brand, store, the provider's
QA — each test starting from the demo data as DEMO.md describes it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.launcher import Stack
from bot.platform.db import make_engine, session_factory
from bot.platform.services.onboarding_cleanup import forget_onboardings
from tests.e2e.repair_support import internal_headers, link_in, post_credentials, reset_demo


def forget(stack: Stack) -> None:
    """Remove what onboardings created (until the demo restore does it itself)."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with session_factory(engine)() as session:
            forget_onboardings(session)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def fresh_demo(stack: Stack) -> Iterator[None]:
    """Every onboarding test starts from, and leaves behind, the demo's state."""
    forget(stack)
    reset_demo(stack)
    yield
    forget(stack)
    reset_demo(stack)


@pytest.mark.parametrize(
    ("text", "expected", "fix"),
    [
        (
            "connect DoorDash at Airport",
            "Airport can't be connected to DoorDash yet",
            "Fix: Add menu hours to the menu of Airport / Burger Barn",
        ),
        (
            "je veux connecter DoorDash à Airport, s'il vous plaît",
            "Airport ne peut pas encore être connecté à DoorDash",
            "Solution : Ajoutez des heures de menu au menu de Airport / Burger Barn",
        ),
        (
            "quiero conectar DoorDash en Airport, por favor",
            "Airport aún no se puede conectar a DoorDash",
            "Solución: Añada un horario al menú de Airport / Burger Barn",
        ),
    ],
)
async def test_doordash_at_airport_is_refused_for_missing_menu_hours(
    chat, text: str, expected: str, fix: str
) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say(text)
    assert expected in turn.text, turn.text
    assert fix in turn.text
    assert "http" not in turn.text and not turn.button_titles  # no link, nothing to press


async def test_sofia_may_not_onboard_and_hears_who_can(chat) -> None:
    sofia = await chat("sofia")
    turn = await sofia.say("conecta Grubhub en Riverside")
    assert "Olivia Owner" in turn.text and "http" not in turn.text


async def test_olivia_connects_grubhub_at_riverside_up_to_the_qa(chat, stack) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("connect Grubhub at Riverside")
    assert "Riverside meets Grubhub's menu criteria" in turn.text, turn.text
    sent = await olivia.click(turn, "Send me the sign-in link")
    url = link_in(sent)
    again = await olivia.click(turn, "Send me the sign-in link")
    assert "already used" in again.text

    page = post_credentials(url, "grubhub-riverside@demo-kitchen.test", "demo-password")
    assert page.outcome == "succeeded", page.html
    brand = await olivia.next_turn()  # the conversation continues by itself
    assert "You're signed in to Grubhub" in brand.text, brand.text
    stores = await olivia.click(brand, "Merge with Taco Town")
    assert "Which Grubhub store should I connect?" in stores.text
    done = await olivia.click(stores, "Riverside / Taco Town")
    assert "Riverside / Taco Town is connected to Grubhub" in done.text, done.text
    assert "quality checks (QA)" in done.text

    onboarding_id = done.buttons[0]["payload"] if done.buttons else None
    assert onboarding_id is None  # nothing to press while the provider checks
    current = _current_onboarding(stack, olivia)
    response = httpx.post(
        f"{stack.platform_url}/internal/sandbox/onboardings/{current}/qa",
        headers=internal_headers(),
    )
    response.raise_for_status()
    passed = await olivia.next_turn()
    assert "Grubhub has passed its QA for Riverside / Taco Town" in passed.text, passed.text


def _current_onboarding(stack: Stack, olivia) -> str:
    """The newest onboarding in the stack's database."""
    from sqlalchemy import select

    from bot.platform.models.onboarding import Onboarding

    del olivia
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        with session_factory(engine)() as session:
            statement = select(Onboarding.id).order_by(Onboarding.created_at.desc()).limit(1)
            return str(session.scalars(statement).one())
    finally:
        engine.dispose()
