"""Onboarding eligibility criteria and onboarding alerts (``eligibility.yml``) as typed data.

Each provider lists the criteria a store must meet before it can be onboarded (DoorDash's
come from its help-center article: a valid, active store id; a menu that is not empty
and has no empty items; menu hours open at least 30 minutes a week). A provider without
an entry gets the ``default`` list. Every criterion and every alert has its texts in
English, French and Spanish.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.platform.languages import DEFAULT_LANGUAGE, LANGUAGES, normalize_language

ELIGIBILITY_PATH = Path(__file__).resolve().parent / "eligibility.yml"
CRITERIA: tuple[str, ...] = ("menu_not_empty", "no_empty_items", "menu_hours", "store_id")
"""The criteria the platform knows how to check."""
BEFORE_SIGN_IN: tuple[str, ...] = ("menu_not_empty", "no_empty_items", "menu_hours")
"""Criteria checked from our own menus, before the merchant signs in to the provider."""
_FIELDS = {"provider", "store", "minutes", "items"}


class EligibilityError(ValueError):
    """``eligibility.yml`` is malformed or incomplete."""


@dataclass(frozen=True)
class Texts:
    """One sentence in every supported language, with ``{provider}``-style fields."""

    translations: Mapping[str, str]

    def get(self, lang: str, **fields: Any) -> str:
        """The text in ``lang`` (English when unsupported), fields filled in."""
        template = (
            self.translations.get(normalize_language(lang)) or self.translations[DEFAULT_LANGUAGE]
        )
        return template.format(**{name: fields.get(name, "") for name in _FIELDS})


@dataclass(frozen=True)
class CriterionInfo:
    """What a criterion is called, what failing it means and how to fix it."""

    key: str
    name: Texts
    problem: Texts
    fix: Texts


@dataclass(frozen=True)
class Criterion:
    """One criterion of a provider, with its parameters (``min_weekly_minutes``)."""

    key: str
    params: Mapping[str, int] = field(default_factory=dict)

    @property
    def min_weekly_minutes(self) -> int:
        """For ``menu_hours``: how many minutes a week the menu must be open."""
        return int(self.params.get("min_weekly_minutes", 30))


@dataclass(frozen=True)
class AlertInfo:
    """An onboarding alert (e.g. missing menu hours) and its fix."""

    key: str
    name: Texts
    fix: Texts
    retry: bool


@dataclass(frozen=True)
class Eligibility:
    """Every provider's criteria, the criteria texts and the alerts."""

    criteria: Mapping[str, CriterionInfo]
    providers: Mapping[str, tuple[Criterion, ...]]
    default: tuple[Criterion, ...]
    alerts: Mapping[str, AlertInfo]

    def for_provider(self, provider_key: str) -> tuple[Criterion, ...]:
        """The criteria of ``provider_key`` (the default list when it has none of its own)."""
        return self.providers.get(provider_key, self.default)

    def alert(self, code: str) -> AlertInfo:
        """The alert for a provider error code (unknown codes: ``onboarding_error``)."""
        return self.alerts.get(code) or self.alerts["onboarding_error"]


@lru_cache(maxsize=4)
def load_eligibility(path: Path = ELIGIBILITY_PATH) -> Eligibility:
    """Read and validate ``eligibility.yml`` (cached per path).

    Raises:
        EligibilityError: An unknown criterion, a text without a language, a missing field.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _parse(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise EligibilityError(f"{path.name}: malformed entry ({exc!r})") from exc


def get_eligibility() -> Eligibility:
    """The product's eligibility catalog (read once)."""
    return load_eligibility(ELIGIBILITY_PATH)


def _parse(raw: Mapping[str, Any]) -> Eligibility:
    criteria = {
        key: CriterionInfo(
            key=key,
            name=_texts(entry["name"], f"criteria.{key}.name"),
            problem=_texts(entry["problem"], f"criteria.{key}.problem"),
            fix=_texts(entry["fix"], f"criteria.{key}.fix"),
        )
        for key, entry in raw["criteria"].items()
    }
    missing = set(CRITERIA) - set(criteria)
    if missing or set(criteria) - set(CRITERIA):
        raise EligibilityError(f"criteria: expected exactly {CRITERIA}")
    providers = {
        str(key): _criteria(entry["criteria"], f"providers.{key}")
        for key, entry in raw["providers"].items()
    }
    alerts = {
        key: AlertInfo(
            key=key,
            name=_texts(entry["name"], f"alerts.{key}.name"),
            fix=_texts(entry["fix"], f"alerts.{key}.fix"),
            retry=bool(entry.get("retry", True)),
        )
        for key, entry in raw["alerts"].items()
    }
    if "onboarding_error" not in alerts:
        raise EligibilityError("alerts: onboarding_error is required")
    default = _criteria(raw["default"]["criteria"], "default")
    return Eligibility(criteria=criteria, providers=providers, default=default, alerts=alerts)


def _criteria(raw: Any, where: str) -> tuple[Criterion, ...]:
    if not isinstance(raw, list):
        raise EligibilityError(f"{where}.criteria: expected a list")
    result: list[Criterion] = []
    for item in raw:
        key, params = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        if key not in CRITERIA:
            raise EligibilityError(f"{where}: unknown criterion {key!r}")
        result.append(Criterion(key=key, params={k: int(v) for k, v in (params or {}).items()}))
    return tuple(result)


def _texts(raw: Any, where: str) -> Texts:
    if not isinstance(raw, Mapping):
        raise EligibilityError(f"{where}: expected a text in {', '.join(LANGUAGES)}")
    for lang in LANGUAGES:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise EligibilityError(f"{where}: missing the {lang!r} text")
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        if names - _FIELDS:
            raise EligibilityError(f"{where}[{lang}]: unknown field(s) {names - _FIELDS}")
    return Texts({lang: raw[lang] for lang in LANGUAGES})
