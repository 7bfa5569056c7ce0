"""The provider catalog: every provider of the seeds, every text in every language."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.platform.languages import LANGUAGES
from bot.platform.models import ERROR_TYPES
from bot.platform.providers.catalog import (
    CATALOG_PATH,
    Catalog,
    CatalogError,
    Text,
    find_provider,
    get_catalog,
    is_stale,
    load_catalog,
)

SELF_REPAIR = {
    "Uber Eats", "DoorDash", "Grubhub", "SkipTheDishes", "Deliveroo", "Just Eat",
    "Coupang Eats", "Baemin", "Rappi", "ChowNow", "Yogiyo", "Jahez", "Glovo",
    "Takeaway Web", "Foodpanda Web",
}  # fmt: skip
CANCEL_VIA_US = {"DoorDash", "Grubhub", "Uber Eats", "Postmates"}
# From PROVIDER_GUIDES.md: (provider, purpose) -> number, exactly as written there.
PHONES = {
    ("Uber Eats", "support"): "1-833-275-3287",
    ("Uber Eats", "cancellation"): "1-833-275-3287",
    ("Postmates", "support"): "1-833-275-3287",
    ("Postmates", "cancellation"): "1-833-275-3287",
    ("DoorDash", "support"): "855-222-8111",
    ("DoorDash", "cancellation"): "855-973-1040",
    ("Grubhub", "support"): "877-799-0790",
    ("Grubhub", "cancellation"): "877-799-0790",
    ("ChowNow", "support"): "888-707-2469",
    ("ChowNow", "cancellation"): "888-707-2469",
    ("SkipTheDishes", "support"): "855-200-7547",
    ("SkipTheDishes", "cancellation"): "855-200-7547",
}


def _all_texts(catalog: Catalog) -> list[tuple[str, Text]]:
    found = [(f"texts.{key}", text) for key, text in catalog.texts.items()]
    for key, error in catalog.error_types.items():
        found += [(f"{key}.problem", error.problem), (f"{key}.summary", error.summary)]
        found += [(f"{key}.steps", step) for step in error.steps]
    for info in catalog.providers:
        for phone in info.phones:
            if phone.note:
                found.append((f"{info.key}.phone.note", phone.note))
        for case, guide in info.guides.items():
            found.append((f"{info.key}.{case}.problem", guide.problem))
            found += [(f"{info.key}.{case}.steps", step) for step in guide.steps]
            if guide.contact:
                found.append((f"{info.key}.{case}.contact", guide.contact))
    return found


def test_every_provider_of_the_seeds():
    catalog = get_catalog()
    names = {info.name for info in catalog.providers}
    assert names == SELF_REPAIR | {"Postmates"}
    assert len(catalog.providers) == 16
    assert {info.name for info in catalog.providers if info.self_repair} == SELF_REPAIR
    assert {info.name for info in catalog.providers if info.cancel_via_us} == CANCEL_VIA_US


def test_every_text_in_every_language():
    texts = _all_texts(get_catalog())
    assert len(texts) > 40
    for where, text in texts:
        assert set(text.translations) == set(LANGUAGES), where
        for lang in LANGUAGES:
            assert text.translations[lang].strip(), (where, lang)
        # Translated, not copied (proper names and phone numbers aside).
        if not re.fullmatch(r"[\w\s:().,-]*\d{3}-\d{4}\)?", text.translations["en"]):
            assert text.translations["fr"] != text.translations["en"], where
            assert text.translations["es"] != text.translations["en"], where


def test_phone_numbers_exactly_as_in_the_guides():
    catalog = get_catalog()
    found = {
        (info.name, phone.purpose): phone.number
        for info in catalog.providers
        for phone in info.phones
    }
    assert found == PHONES
    uber = catalog.provider("uber_eats")
    assert uber.phone("support").display() == "1-833-ASK-EATS (1-833-275-3287)"
    skip = catalog.provider("skipthedishes").phone("support").display()
    assert skip == "855-200-7547, or live chat in the Skip merchant portal"


def test_error_types_and_next_steps():
    catalog = get_catalog()
    assert set(catalog.error_types) == set(ERROR_TYPES)
    kinds = {key: error.next_step for key, error in catalog.error_types.items()}
    assert kinds == {
        "invalid_credentials": "reconnect",
        "two_factor_required": "reconnect",
        "mfa_required": "reconnect",
        "third_party_blocked": "reconnect",
        "invalid_store_configuration": "portal_steps",
    }
    blocked = catalog.error_types["third_party_blocked"]
    assert "approve the sign-in" in blocked.summary.get("en", provider="Glovo")
    assert "approuver la connexion" in blocked.summary.get("fr", provider="Glovo")
    assert "apruebe el inicio de sesión" in blocked.summary.get("es", provider="Glovo")


def test_guides_for_the_named_cases():
    catalog = get_catalog()
    deliveroo = catalog.guide("deliveroo", "inactive_restaurant")
    uber = catalog.guide("uber_eats", "non_traditional_login")
    assert catalog.guide("glovo", "inactive_restaurant") is None
    assert catalog.guide("deliveroo", None) is None
    for guide in (deliveroo, uber):
        assert guide.error_type == "invalid_store_configuration"
        assert guide.owner == "integrations-team"
        assert guide.last_verified == date(2026, 10, 15)
        assert len(guide.steps) == 4
        assert "I've completed these steps" in guide.steps[-1].get("en")
    assert deliveroo.steps[0].get("en") == (
        "Sign in to Deliveroo's restaurant portal (Restaurant Hub) with the site owner's login."
    )
    assert uber.contact.get("en") == "Uber Eats: 1-833-ASK-EATS (1-833-275-3287)"


def test_staleness():
    guide = get_catalog().guide("deliveroo", "inactive_restaurant")
    assert not guide.is_stale(datetime(2026, 10, 15, tzinfo=timezone.utc))
    assert not guide.is_stale(datetime(2027, 1, 13, 23, 0, tzinfo=timezone.utc))  # 90 days
    assert guide.is_stale(datetime(2027, 1, 14, 1, 0, tzinfo=timezone.utc))  # 91 days
    assert is_stale(date(2020, 1, 1))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Uber Eats", "Uber Eats"),
        ("UberEats", "Uber Eats"),
        ("uber", "Uber Eats"),
        ("  UBER-EATS! ", "Uber Eats"),
        ("GrubHub", "Grubhub"),
        ("grub hub", "Grubhub"),
        ("JustEat", "Just Eat"),
        ("Just-Eat", "Just Eat"),
        ("Skip", "SkipTheDishes"),
        ("Skip the Dishes", "SkipTheDishes"),
        ("Door Dash", "DoorDash"),
        ("doordash", "DoorDash"),
        ("Postmates", "Postmates"),
        ("foodpanda", "Foodpanda Web"),
        ("deliveroo", "Deliveroo"),
    ],
)
def test_find_provider(text, name):
    assert find_provider(text).name == name


@pytest.mark.parametrize("text", ["", "   ", "DD", "Foodora", "eats", None])
def test_find_provider_unknown(text):
    assert find_provider(text) is None


def test_text_falls_back_to_english():
    text = get_catalog().error_types["invalid_credentials"].problem
    assert text.get("de", provider="X") == text.get("en", provider="X")
    assert text.get("fr-CA", provider="X") == text.get("fr", provider="X")


def test_catalog_names_no_other_company():
    for path in Path(CATALOG_PATH).parent.parent.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".yml", ".mako", ".html"}:
            assert "otter" not in path.read_text(encoding="utf-8").lower(), path


def test_a_missing_language_is_refused(tmp_path):
    broken = CATALOG_PATH.read_text(encoding="utf-8").replace(
        '      es: "{provider} ya no acepta', '      xx: "{provider} ya no acepta', 1
    )
    path = tmp_path / "catalog.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogError, match="'es'"):
        load_catalog(path)


def test_ambiguous_aliases_are_refused(tmp_path):
    broken = CATALOG_PATH.read_text(encoding="utf-8").replace(
        "aliases: [Door Dash]", "aliases: [Door Dash, Uber]", 1
    )
    path = tmp_path / "catalog.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogError, match="names both"):
        load_catalog(path)
