"""action_contact_support: our support number, and the provider's contact when known."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.support import ActionContactSupport
from bot.config import get_settings
from tests.unit.actions_standin import PlatformStandIn, tracker


async def ask(text: str, token: str | None, slots: dict | None = None) -> list[str]:
    dispatcher = CollectingDispatcher()
    events = await ActionContactSupport(PlatformStandIn().client()).run(
        dispatcher, tracker(text, "contact_support", token, None, slots), {}
    )
    assert events == []
    return [m["text"] for m in dispatcher.messages]


async def test_our_support_number_in_each_language() -> None:
    phone = get_settings().support_phone
    assert await ask("contact support", "tok-olivia") == [
        f"To reach our support team, send a text message to {phone}."
    ]
    assert (await ask("/contact_support", "tok-marc"))[0].endswith(f"envoyez un SMS au {phone}.")
    assert (await ask("/contact_support", None))[0].startswith("To reach our support team")


async def test_the_providers_contact_for_the_account_under_repair() -> None:
    texts = await ask("/contact_support", "tok-sofia", {"repair_account": "dr-river"})
    assert texts[1] == (
        "Para Deliveroo — Riverside, también puede contactar con Deliveroo: "
        "Deliveroo partner support (Restaurant Hub)."
    )
