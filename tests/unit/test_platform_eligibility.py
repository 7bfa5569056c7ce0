"""The eligibility catalog (providers/eligibility.yml): DoorDash's criteria from the seed,
every text in three languages, and a malformed file refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.platform.languages import LANGUAGES
from bot.platform.providers.catalog import get_catalog
from bot.platform.providers.eligibility import (
    ELIGIBILITY_PATH,
    EligibilityError,
    get_eligibility,
    load_eligibility,
)


def test_doordash_has_the_seed_criteria() -> None:
    criteria = get_eligibility().for_provider("doordash")
    assert [c.key for c in criteria] == [
        "menu_not_empty",
        "no_empty_items",
        "menu_hours",
        "store_id",
    ]
    assert criteria[2].min_weekly_minutes == 30


def test_a_provider_without_an_entry_gets_the_default() -> None:
    assert [c.key for c in get_eligibility().for_provider("just_eat")] == [
        "menu_not_empty",
        "store_id",
    ]


def test_catalog_providers_exist() -> None:
    keys = {provider.key for provider in get_catalog().providers}
    assert set(get_eligibility().providers) <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_renders_in_every_language(lang: str) -> None:
    catalog = get_eligibility()
    fields = {"provider": "DoorDash", "store": "Airport / Burger Barn", "minutes": 30, "items": "X"}
    for info in catalog.criteria.values():
        for text in (info.name, info.problem, info.fix):
            assert "{" not in text.get(lang, **fields)
    for alert in catalog.alerts.values():
        assert alert.name.get(lang, **fields) and "{" not in alert.fix.get(lang, **fields)


def test_the_four_onboarding_alerts() -> None:
    alerts = get_eligibility().alerts
    assert set(alerts) == {
        "missing_menu_hours",
        "empty_menu",
        "menu_import_failed",
        "onboarding_error",
    }
    assert get_eligibility().alert("something_new").key == "onboarding_error"


@pytest.mark.parametrize(
    ("written", "instead", "refusal"),
    [
        ("      - store_id\n  grubhub:", "      - store_color\n  grubhub:", "store_color"),
        ('      es: "Un menú que no esté vacío"\n', "", "'es'"),
    ],
    ids=["an_unknown_criterion", "a_missing_language"],
)
def test_a_broken_criteria_file_is_refused(
    tmp_path: Path, written: str, instead: str, refusal: str
) -> None:
    text = ELIGIBILITY_PATH.read_text(encoding="utf-8").replace(written, instead)
    path = tmp_path / "eligibility.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EligibilityError, match=refusal):
        load_eligibility(path)
