"""The catalog's cancellation reasons: who cancels through us, with which reasons, in
every language, and a malformed list is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.platform.languages import LANGUAGES
from bot.platform.providers.catalog import CATALOG_PATH, CatalogError, get_catalog, load_catalog

SEED_REASONS = {"customer_request", "out_of_stock", "duplicate_order"}  # the guide's examples


def test_providers_that_cancel_through_us_have_reasons_in_every_language() -> None:
    catalog = get_catalog()
    cancelling = {info.name for info in catalog.providers if catalog.cancel_reasons(info.key)}
    assert cancelling == {"DoorDash", "Grubhub", "Uber Eats", "Postmates"}
    for info in catalog.providers:
        reasons = catalog.cancel_reasons(info.key)
        if not info.cancel_via_us:
            assert reasons == ()
            continue
        assert SEED_REASONS <= {key for key, _ in reasons}
        for _, label in reasons:
            assert all(label.get(lang).strip() for lang in LANGUAGES)


def test_a_provider_may_list_its_own_reasons() -> None:
    catalog = get_catalog()
    doordash = [key for key, _ in catalog.cancel_reasons("doordash")]
    uber = [key for key, _ in catalog.cancel_reasons("uber_eats")]
    assert doordash == [
        "customer_request", "out_of_stock", "duplicate_order", "kitchen_closed", "too_busy",
    ]  # fmt: skip
    assert uber == [*doordash, "other"]
    assert dict(catalog.cancel_reasons("uber_eats"))["too_busy"].get("fr") == (
        "Trop de commandes en cours"
    )


def test_a_provider_naming_an_unknown_reason_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    doordash = next(entry for entry in raw["providers"] if entry["key"] == "doordash")
    doordash["cancellation_reasons"] = ["customer_request", "alien_invasion"]
    broken = tmp_path / "catalog.yml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="doordash"):
        load_catalog(broken)


def test_a_reason_without_a_language_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    del raw["cancellation_reasons"]["reasons"]["too_busy"]["es"]
    broken = tmp_path / "catalog.yml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="too_busy"):
        load_catalog(broken)
