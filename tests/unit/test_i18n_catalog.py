"""The message catalog: same keys in every language, every template renders."""

from __future__ import annotations

import re

import pytest
from jinja2 import meta

from actions import catalog
from actions.catalog import LANGUAGES, join_names, normalize_language, render, templates

SAMPLE_VALUES = {"count": 3, "steps": ["First step.", "Second step."]}


def _sources(lang: str) -> dict[str, str]:
    return catalog.sources(lang)


def _values(source: str) -> dict[str, object]:
    names = meta.find_undeclared_variables(catalog._environment().parse(source))
    return {name: SAMPLE_VALUES.get(name, f"<{name}>") for name in names}


def test_every_language_has_the_same_keys() -> None:
    english = set(templates("en"))
    for lang in LANGUAGES:
        assert set(templates(lang)) == english, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders(lang: str) -> None:
    for key, source in _sources(lang).items():
        text = render(lang, key, **_values(source))
        assert text, f"{lang}:{key} renders empty"
        assert "{{" not in text and "{%" not in text, f"{lang}:{key}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_templates_use_the_same_variables_in_every_language(lang: str) -> None:
    english = {key: set(_values(source)) for key, source in _sources("en").items()}
    for key, source in _sources(lang).items():
        assert set(_values(source)) == english[key], f"{lang}:{key}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_other_company_is_named(lang: str) -> None:
    for path in catalog.catalog_files(lang):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"otter", text, re.IGNORECASE), path


def test_every_feature_fragment_exists_in_every_language() -> None:
    names = {lang: {p.name for p in catalog.catalog_files(lang)[1:]} for lang in LANGUAGES}
    assert names["fr"] == names["en"] == names["es"]


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(Exception, match="label"):
        render("en", "status.button")


def test_unknown_languages_fall_back_to_english() -> None:
    assert render("de", "thank") == render("en", "thank")
    assert normalize_language("fr-CA") == "fr"
    assert normalize_language("ES") == "es"
    assert normalize_language("pt") is None
    assert normalize_language(None) is None


def test_names_are_joined_in_each_language() -> None:
    assert join_names("en", ["Olivia Owner"]) == "Olivia Owner"
    assert join_names("en", ["A", "B", "C"]) == "A, B or C"
    assert join_names("fr", ["A", "B"], "and") == "A et B"
    assert join_names("es", ["A", "B"]) == "A o B"
    assert join_names("en", []) == ""
