"""Reply language: the profile's, unless the message is clearly in another language."""

from __future__ import annotations

import pytest

from actions.language import choose_language, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("which stores are disconnected?", "en"),
        ("mes intégrations sont-elles connectées ?", "fr"),
        ("¿mis tiendas de Uber Eats están desconectadas?", "es"),
        ("quels magasins sont déconnectés en ce moment ?", "fr"),
    ],
)
def test_clear_sentences_are_detected(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["hola", "merci", "ok", "DoorDash Downtown", "", "/greet"])
def test_short_or_ambiguous_messages_are_not_detected(text: str) -> None:
    assert detect_language(text) is None


def test_provider_and_location_names_do_not_count_as_words() -> None:
    text = "¿DoorDash funciona en Downtown?"
    assert detect_language(text, ignore=["DoorDash", "Downtown"]) is None


def test_the_profile_language_wins_unless_the_message_is_clearly_another() -> None:
    assert choose_language("merci", "fr") == "fr"
    assert choose_language("gracias", "fr") == "fr"
    assert choose_language("which stores are disconnected?", "fr") == "en"
    assert choose_language("¿qué tiendas están desconectadas?", "en") == "es"
    assert choose_language("hi", None) == "en"
    assert choose_language("hi", "pt-BR") == "en"
