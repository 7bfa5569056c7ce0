"""Activation end to end over the web chat: "Please help me activate my DoorDash integration",
the location buttons, the warning, Confirm, one confirmation per location — in English,
French and Spanish — plus a provider's activation error and who may activate."""

from __future__ import annotations

import httpx
import pytest

from bot.config import get_settings
from bot.identity import Identity, sign_identity
from bot.launcher import Stack
from tests.e2e.repair_support import internal_headers

pytestmark = pytest.mark.usefixtures("fresh_demo")


def riverside_link(stack: Stack, olivia_id: int) -> int:
    """The id of the DoorDash — Riverside store link, as the platform lists it."""
    secret = get_settings().identity_secret.get_secret_value()
    token = sign_identity(Identity(olivia_id, "web:activation-probe", "web"), secret, 60)
    response = httpx.get(
        f"{stack.platform_url}/api/v1/activation/locations",
        params={"provider": "DoorDash"},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    [link] = response.json()["activatable"]
    return int(link["link_id"])


def activation_calls(stack: Stack, link_id: int) -> list[dict]:
    """The activations the sandbox provider received for a link."""
    response = httpx.get(
        f"{stack.platform_url}/internal/sandbox/calls",
        params={"method": "activate", "target": str(link_id)},
        headers=internal_headers(),
    )
    response.raise_for_status()
    return response.json()


async def test_olivia_activates_riverside_taco_town_on_doordash(chat, stack, user_ids) -> None:
    link_id = riverside_link(stack, user_ids["olivia"])
    olivia = await chat("olivia")
    turn = await olivia.say("Please help me activate my DoorDash integration")
    assert "can be activated on DoorDash" in turn.text
    assert "Riverside / Taco Town" in turn.button_titles
    # Downtown cannot be activated: the reason, and the way to fix it.
    assert "Downtown / Burger Barn, Downtown / Taco Town (DoorDash — main)" in turn.text
    assert "Reconnect it first" in turn.text
    assert "Reconnect DoorDash — main" in turn.button_titles

    turn = await olivia.click(turn, "Riverside / Taco Town")
    assert "Before I activate DoorDash at Riverside / Taco Town" in turn.text
    assert "primary order manager for DoorDash" in turn.text
    assert "will be disconnected" in turn.text
    assert turn.button_titles == ["Confirm", "Cancel"]
    assert activation_calls(stack, link_id) == []  # nothing before Confirm

    warning = turn
    turn = await olivia.click(warning, "Confirm")
    assert "Done: DoorDash is now active at Riverside / Taco Town." in turn.text
    assert "Activate other locations" in turn.button_titles

    again = await olivia.click(warning, "Confirm")  # the same button twice: used once
    assert "already used" in again.text
    assert len(activation_calls(stack, link_id)) == 1

    turn = await olivia.click(turn, "Activate other locations")
    assert "Riverside / Taco Town" not in turn.button_titles
    turn = await olivia.say("is DoorDash working at Riverside?")
    assert "not active yet" not in turn.text


async def test_french_then_cancel_activates_nothing(chat, stack, user_ids) -> None:
    link_id = riverside_link(stack, user_ids["olivia"])
    olivia = await chat("olivia")
    turn = await olivia.say("Veuillez m'aider à activer mon intégration DoorDash")
    assert "peut être activé sur DoorDash" in turn.text
    turn = await olivia.click(turn, "Riverside / Taco Town")
    assert "gestionnaire de commandes principal" in turn.text
    assert turn.button_titles == ["Confirmer", "Annuler"]
    turn = await olivia.click(turn, "Annuler")
    assert "je n'ai rien activé" in turn.text
    forged = '/activation_confirm{"links":"' + str(link_id) + '","request_id":"x"}'
    turn = await olivia.say(forged)  # typed, not a button: plain text for the bot
    assert "C'est fait" not in turn.text and "Done" not in turn.text
    assert activation_calls(stack, link_id) == []


async def test_spanish_activation(chat, stack, user_ids) -> None:
    riverside_link(stack, user_ids["olivia"])
    olivia = await chat("olivia")
    turn = await olivia.say("Por favor, ayúdame a activar mi integración de DoorDash")
    assert "se puede activar en DoorDash" in turn.text
    turn = await olivia.click(turn, "Riverside / Taco Town")
    assert "gestor de pedidos principal" in turn.text
    turn = await olivia.click(turn, "Confirmar")
    assert "Listo: DoorDash ya está activo en Riverside / Taco Town." in turn.text
    assert "Activar otras ubicaciones" in turn.button_titles


async def test_a_provider_activation_error_sends_the_merchant_to_support(
    chat, stack, user_ids
) -> None:
    link_id = riverside_link(stack, user_ids["olivia"])
    fault = {"method": "activate", "target": str(link_id), "error": "activation_failed"}
    response = httpx.post(
        f"{stack.platform_url}/internal/sandbox/faults", json=fault, headers=internal_headers()
    )
    assert response.status_code == 201, response.text
    olivia = await chat("olivia")
    turn = await olivia.say("Please help me activate my DoorDash integration")
    turn = await olivia.click(turn, "Riverside / Taco Town")
    turn = await olivia.click(turn, "Confirm")
    assert "DoorDash reported an error while activating Riverside / Taco Town" in turn.text
    assert get_settings().support_phone in turn.text
    # handed to a person at once (reason action_failed), no button to press first
    assert "I'm passing this to a person from our support team." in turn.text
    assert "Contact support" not in turn.button_titles
    turn = await olivia.say("never mind")  # stop waiting: back with the assistant
    assert "you're back with the assistant" in turn.text


async def test_grubhub_is_already_active_and_marc_may_not_activate(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("activate my Grubhub integration")
    assert "Grubhub is already active at Airport / Burger Barn" in turn.text
    marc = await chat("marc")
    turn = await marc.say("Veuillez m'aider à activer mon intégration DoorDash")
    assert "Olivia Owner" in turn.text and "autorisé" in turn.text
    assert turn.button_titles == []
