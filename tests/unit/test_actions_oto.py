"""The OTO setup actions against the real platform app (in process): the one-time page,
invalid → nothing saved, the currency (ISO 4217) and branch activation with confirmation,
and who may do it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.dispatch import ActionDispatchWhy
from actions.oto import ActionOtoSetup, ActionOtoSetupStart, ActionOtoSetupUpdate
from actions.oto_settings import (
    ActionOtoBranchActivate,
    ActionOtoBranchConfirm,
    ActionOtoCurrency,
    ActionOtoCurrencyConfirm,
)
from bot.platform.models import DispatchIntegration
from tests.unit.platform_inprocess import pressed
from tests.unit.test_actions_dispatch import RealPlatform, open_real_platform
from tests.unit.trackers import entity, external_tracker, payload_json, tracker

DEMO_PAIR = {"retailer_id": "OTO-DEMO-1", "token": "oto-demo-token"}
LINK = re.compile(r"http://\S+/oto-setup/[\w\-]+")


@pytest.fixture
async def platform(sqlite_url) -> AsyncIterator[RealPlatform]:
    """The platform app in process on a fresh demo database."""
    async with open_real_platform(sqlite_url) as real:
        yield real


async def run(
    platform: RealPlatform,
    action: Action,
    who: str,
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(text, intent, platform.tokens[who], entities), {})
    return dispatcher.messages


async def press(
    platform: RealPlatform, action: Action, who: str, button: dict[str, str]
) -> list[dict[str, Any]]:
    """Press a button: its payload's intent and entities, as Rasa parses them."""
    intent, entities = pressed(button)
    return await run(platform, action, who, button["payload"], intent, entities)


async def page_event(platform: RealPlatform, who: str, event: str) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    external = external_tracker(
        "oto_setup_update", platform.tokens[who], {"oto_event": event}, before="set up OTO"
    )
    await ActionOtoSetupUpdate(platform.client).run(dispatcher, external, {})
    return dispatcher.messages


def saved_settings(platform: RealPlatform) -> tuple:
    def read(session):
        rows = session.scalars(select(DispatchIntegration)).all()
        row = next(r for r in rows if r.organization.name == "Demo Kitchen Group")
        return row.retailer_id, row.token_secret, row.currency

    return platform.read(read)


async def setup_with(platform: RealPlatform, pair: dict[str, str]) -> list[dict[str, Any]]:
    """Olivia asks to set up OTO, gets the link, submits ``pair``; the bot's report."""
    [intro] = await run(
        platform, ActionOtoSetup(platform.client), "olivia", "set up OTO", "oto_setup"
    )
    [link] = await press(
        platform, ActionOtoSetupStart(platform.client), "olivia", intro["buttons"][0]
    )
    url = LINK.search(link["text"]).group(0)
    page = await platform.http.post(urlsplit(url).path, data=pair)
    assert page.status_code in (200, 422)
    event = json.loads(platform.gateway[-1].content)["entities"]["oto_event"]
    return await page_event(platform, "olivia", event)


async def test_olivia_sets_up_oto_on_the_one_time_page(platform) -> None:
    [intro] = await run(
        platform, ActionOtoSetup(platform.client), "olivia", "set up OTO", "oto_setup"
    )
    assert "Retailer ID and Token" in intro["text"] and "never type them here" in intro["text"]
    assert intro["buttons"] == [{"title": "Send me the setup link", "payload": "/oto_setup_start"}]
    [link] = await press(
        platform, ActionOtoSetupStart(platform.client), "olivia", intro["buttons"][0]
    )
    assert LINK.search(link["text"]) and "expires in 10 minutes" in link["text"]
    assert "never here in the chat" in link["text"]

    report = await setup_with(platform, DEMO_PAIR)
    [message] = report
    assert message["text"].startswith("OTO accepted your Retailer ID and Token")
    assert "Currency for cash on delivery: SAR (Saudi Riyal)." in message["text"]
    assert "Active branches: Downtown and Riverside." in message["text"]
    assert "Inactive branches (their orders are not sent to OTO): Airport." in message["text"]
    assert message["buttons"] == [
        {
            "title": "Activate OTO at Airport",
            "payload": '/oto_branch_activate{"location":"Airport"}',
        }
    ]
    assert saved_settings(platform)[0] == "OTO-DEMO-1"
    assert "oto-demo-token" not in json.dumps(report)


async def test_an_invalid_pair_is_said_and_nothing_is_saved(platform) -> None:
    [message] = await setup_with(platform, {"retailer_id": "OTO-DEMO-1", "token": "guess"})
    assert message["text"].startswith("OTO did not accept that Retailer ID and Token")
    assert "nothing was saved" in message["text"]
    assert message["buttons"] == [
        {"title": "Send me the setup link", "payload": "/oto_setup_start"}
    ]
    assert saved_settings(platform) == (None, None, "SAR")
    assert "guess" not in message["text"]


async def test_the_currency_is_checked_then_confirmed_once(platform) -> None:
    action = ActionOtoCurrency(platform.client)
    [ask] = await run(platform, action, "olivia", "set the OTO currency to usd", "oto_currency")
    assert ask["text"].startswith("Set the OTO currency to USD (US Dollar)?")
    assert "instead of SAR" in ask["text"]
    [confirm] = ask["buttons"]
    assert confirm["title"] == "Confirm"
    assert payload_json(confirm)["currency"] == "USD" and payload_json(confirm)["request_id"]

    typed = await run(
        platform,
        ActionOtoCurrencyConfirm(platform.client),
        "olivia",
        "yes confirm",
        "oto_currency_confirm",
    )
    assert "press the Confirm button" in typed[0]["text"]
    assert saved_settings(platform)[2] == "SAR"

    [done] = await press(platform, ActionOtoCurrencyConfirm(platform.client), "olivia", confirm)
    assert done["text"] == "Done: OTO now collects cash-on-delivery payments in USD (US Dollar)."
    assert saved_settings(platform)[2] == "USD"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set the OTO currency to ABC", '"ABC" isn\'t an ISO 4217 currency code'),
        ("set the OTO currency to XXX", '"XXX" isn\'t an ISO 4217 currency code'),
        ("set the OTO currency to SAR", "The OTO currency is already SAR (Saudi Riyal)"),
        ("change the OTO currency", "Tell me its ISO 4217 code"),
    ],
)
async def test_currency_answers(platform, text, expected) -> None:
    [message] = await run(
        platform, ActionOtoCurrency(platform.client), "olivia", text, "oto_currency"
    )
    assert expected in message["text"]
    assert message["buttons"] == []


async def test_the_currency_in_french_and_spanish(platform) -> None:
    text = "je voudrais mettre la devise OTO en EUR pour les livraisons"
    [fr] = await run(
        platform, ActionOtoCurrency(platform.client), "olivia", text, "oto_currency",
        [entity("currency", "EUR", text)],
    )  # fmt: skip
    assert fr["text"].startswith("Passer la devise OTO à EUR (Euro) ?")
    text = "cambia la moneda de OTO a MXN por favor ahora"
    [es] = await run(platform, ActionOtoCurrency(platform.client), "olivia", text, "oto_currency")
    assert es["text"].startswith("¿Cambiar la moneda de OTO a MXN (Peso mexicano)?")


async def test_a_branch_is_activated_after_the_setup_with_confirmation(platform) -> None:
    branch = ActionOtoBranchActivate(platform.client)
    [early] = await run(
        platform, branch, "olivia", "activate OTO at Airport", "oto_branch_activate"
    )
    assert early["text"].startswith("Branches can be activated once OTO is set up")
    assert early["buttons"] == [{"title": "Set up OTO", "payload": "/oto_setup"}]

    await setup_with(platform, DEMO_PAIR)
    text = "activate OTO at Airport"
    [ask] = await run(
        platform,
        branch,
        "olivia",
        text,
        "oto_branch_activate",
        [entity("location", "Airport", text)],
    )
    assert ask["text"].startswith("Activate OTO at Airport?")
    [confirm] = ask["buttons"]
    [done] = await press(platform, ActionOtoBranchConfirm(platform.client), "olivia", confirm)
    assert done["text"].startswith("Done: OTO is now active at Airport.")
    [again] = await run(
        platform, branch, "olivia", "activate OTO at airport", "oto_branch_activate"
    )
    assert again["text"] == "OTO is already active at Airport."

    dispatcher = CollectingDispatcher()
    text = "why wasn't order F-7004 sent to OTO?"
    await ActionDispatchWhy(platform.client).run(
        dispatcher, tracker(text, "dispatch_why", platform.tokens["olivia"]), {}
    )
    assert "now meets every condition" in dispatcher.messages[0]["text"]


async def test_unknown_and_unnamed_branches(platform) -> None:
    await setup_with(platform, DEMO_PAIR)
    branch = ActionOtoBranchActivate(platform.client)
    text = "activate OTO at Harbor"
    [unknown] = await run(
        platform,
        branch,
        "olivia",
        text,
        "oto_branch_activate",
        [entity("location", "Harbor", text)],
    )
    assert unknown["text"] == (
        'I don\'t know a location called "Harbor" in your organization. '
        "Your locations: Airport, Downtown and Riverside."
    )
    [which] = await run(
        platform, branch, "olivia", "activate a branch in OTO", "oto_branch_activate"
    )
    assert which["text"] == "Which branch should send its orders to OTO?"
    assert [b["title"] for b in which["buttons"]] == ["Activate OTO at Airport"]


@pytest.mark.parametrize(
    ("who", "action", "text", "intent", "expected"),
    [
        ("marc", ActionOtoSetup, "configurer OTO", "oto_setup", "Olivia Owner peut le faire"),
        ("sofia", ActionOtoSetup, "configurar OTO", "oto_setup", "Olivia Owner sí puede"),
        ("marc", ActionOtoCurrency, "mets la devise OTO en USD", "oto_currency", "Olivia Owner"),
        (
            "sofia",
            ActionOtoBranchActivate,
            "activa OTO en Airport",
            "oto_branch_activate",
            "Olivia",
        ),
    ],
)
async def test_marc_and_sofia_are_told_who_can(platform, who, action, text, intent, expected):
    [message] = await run(platform, action(platform.client), who, text, intent)
    assert expected in message["text"]
    assert message["buttons"] == []


async def test_a_confirm_button_pressed_by_marc_changes_nothing(platform) -> None:
    button = {"title": "x", "payload": '/oto_currency_confirm{"currency":"USD","request_id":"r1"}'}
    [message] = await press(platform, ActionOtoCurrencyConfirm(platform.client), "marc", button)
    assert "Olivia Owner" in message["text"]
    assert saved_settings(platform)[2] == "SAR"
