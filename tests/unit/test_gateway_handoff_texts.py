"""The words that stop waiting for support, and how the gateway names an agent."""

from __future__ import annotations

import pytest

from bot.gateway.handoff_texts import agent_reply, is_cancel, text


@pytest.mark.parametrize(
    "message",
    ["cancel", "Cancel.", " never mind! ", "Stop waiting", "ANNULER", "Laisse tomber",
     "cancelar", "¡Olvídalo!", "olvidalo", "Never-mind"],
)  # fmt: skip
def test_whole_message_cancel_words_in_each_language(message: str) -> None:
    assert is_cancel(message)


@pytest.mark.parametrize(
    "message",
    ["cancel my order", "don't cancel", "annuler la commande", "olvídalo todo", "stop", ""],
)
def test_anything_else_goes_to_support(message: str) -> None:
    assert not is_cancel(message)


def test_an_agents_reply_carries_the_first_name() -> None:
    assert agent_reply("Sam Support", "Hello!") == "Sam (support): Hello!"
    assert (
        text("joined", "fr", agent="Ana") == "Ana, de l'équipe support, a rejoint la conversation."
    )
    assert text("joined", "de", agent="Ana").startswith("Ana from support")
