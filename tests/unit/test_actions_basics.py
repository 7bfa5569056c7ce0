"""The conversational basics, and the action server's registration of every action."""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.base import CatalogAction
from actions.basics import (
    ActionBotChallenge,
    ActionFallback,
    ActionGoodbye,
    ActionGreet,
    ActionHelp,
    ActionThank,
)
from actions.platform import shared_client
from bot.config import ROOT, get_settings
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import tracker


async def reply(
    action_class: type[CatalogAction], text: str, token: str | None, platform: PlatformStandIn
) -> list[str]:
    dispatcher = CollectingDispatcher()
    events = await action_class(platform.client()).run(dispatcher, tracker(text, "x", token), {})
    # Nothing but the conversation's language (when not the profile's) is remembered.
    assert [e for e in events if e.get("name") != "conversation_language"] == []
    return [m["text"] for m in dispatcher.messages]


async def test_greeting_by_first_name_in_the_profile_language() -> None:
    platform = PlatformStandIn()
    assert (await reply(ActionGreet, "hi", "tok-olivia", platform))[0].startswith("Hi Olivia!")
    assert (await reply(ActionGreet, "hello", "tok-marc", platform))[0].startswith("Bonjour Marc !")
    assert (await reply(ActionGreet, "hi", "tok-sofia", platform))[0].startswith("¡Hola Sofia!")


async def test_an_unknown_sender_is_greeted_without_any_call_to_the_platform() -> None:
    platform = PlatformStandIn()
    assert (await reply(ActionGreet, "hello", None, platform))[0].startswith("Hi!")
    assert platform.requests == []


async def test_a_clear_message_in_another_language_switches_the_reply() -> None:
    platform = PlatformStandIn()
    question = "qu'est-ce que tu peux faire pour moi ?"
    [text] = await reply(ActionHelp, question, "tok-olivia", platform)
    assert text.startswith("Je vérifie vos intégrations de livraison")


async def test_help_goodbye_thanks_fallback_in_spanish() -> None:
    platform = PlatformStandIn()
    assert (await reply(ActionHelp, "ayuda", "tok-sofia", platform))[0].startswith("Reviso sus")
    assert await reply(ActionGoodbye, "chao", "tok-sofia", platform) == [
        "¡Adiós! Escríbame cuando quiera revisar sus integraciones."
    ]
    assert await reply(ActionThank, "gracias", "tok-sofia", platform) == [
        "¡De nada! ¿Algo más sobre sus integraciones?"
    ]
    [fallback] = await reply(ActionFallback, "pizza?", "tok-sofia", platform)
    assert fallback.startswith("Perdone, no le he entendido.")


async def test_bot_challenge_is_truthful_and_gives_our_support_number() -> None:
    [text] = await reply(ActionBotChallenge, "are you a bot?", "tok-olivia", PlatformStandIn())
    assert text.startswith("I'm an automated assistant, not a person.")
    assert get_settings().support_phone in text


async def test_greeting_still_works_when_the_platform_is_down() -> None:
    texts = await reply(ActionGreet, "hi", "tok-olivia", PlatformStandIn(available=False))
    assert texts[0].startswith("Hi!")


def _domain_actions() -> set[str]:
    actions: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        part: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        actions |= set(part.get("actions", []))
    return actions


def test_the_action_server_registers_exactly_the_domain_actions_and_no_base_class() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert {"action_greet", "action_status", "action_contact_support"} <= set(executor.actions)
    # Every registered action is one the domain names: no base class or helper registered.
    assert set(executor.actions) == _domain_actions()
    # Registering builds no platform client: that happens on the first call.
    assert shared_client.cache_info().currsize == 0
