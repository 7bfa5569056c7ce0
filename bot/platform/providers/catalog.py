"""The provider catalog (``catalog.yml``) as typed, validated, cached data.

The catalog says which delivery providers exist, what they are called (display name and
aliases), whether the product can repair or cancel for them, their support phone numbers,
what each integration error type means in plain words with its next step, the
provider-portal guides for named store-configuration cases, and the reasons a live order
can be cancelled with at each provider that cancels through us.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.platform.languages import DEFAULT_LANGUAGE, LANGUAGES, normalize_language

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.yml"
STALE_AFTER_DAYS = 90
NEXT_STEP_KINDS = ("reconnect", "portal_steps")
PHONE_PURPOSES = ("support", "cancellation")
_PLACEHOLDERS = {"provider", "number"}


class CatalogError(ValueError):
    """The catalog file is malformed or incomplete."""


@dataclass(frozen=True)
class Text:
    """One sentence in every supported language, possibly with ``{provider}``-style fields."""

    translations: Mapping[str, str]

    def get(self, lang: str, **fields: str) -> str:
        """The text in ``lang`` (English when unsupported), with ``fields`` filled in."""
        template = (
            self.translations.get(normalize_language(lang)) or self.translations[DEFAULT_LANGUAGE]
        )
        return template.format(**fields) if fields else template


@dataclass(frozen=True)
class Phone:
    """A provider phone number and what it is for (``support`` or ``cancellation``)."""

    purpose: str
    number: str
    vanity: str | None = None
    note: Text | None = None

    def display(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The number as a person reads it, e.g. ``1-833-ASK-EATS (1-833-275-3287)``."""
        shown = f"{self.vanity} ({self.number})" if self.vanity else self.number
        return f"{shown}, {self.note.get(lang)}" if self.note else shown


@dataclass(frozen=True)
class ErrorType:
    """What an integration error means and the next step that fixes it."""

    key: str
    next_step: str  # "reconnect" | "portal_steps"
    problem: Text
    summary: Text
    steps: tuple[Text, ...]


@dataclass(frozen=True)
class Guide:
    """Provider-portal steps for one named store-configuration case, with its upkeep data."""

    case: str
    error_type: str
    problem: Text
    steps: tuple[Text, ...]
    contact: Text | None
    owner: str
    last_verified: date

    def is_stale(self, now: datetime | None = None) -> bool:
        """Whether the guide was last verified more than 90 days before ``now``."""
        return is_stale(self.last_verified, now)


@dataclass(frozen=True)
class ProviderInfo:
    """One delivery provider of the catalog."""

    key: str
    name: str
    aliases: tuple[str, ...]
    self_repair: bool
    cancel_via_us: bool
    phones: tuple[Phone, ...] = ()
    guides: Mapping[str, Guide] = field(default_factory=dict)
    cancel_reasons: tuple[str, ...] = ()  # reason keys, in the order they are offered

    def phone(self, purpose: str) -> Phone | None:
        """The provider's number for ``purpose`` (``support`` or ``cancellation``), if any."""
        return next((phone for phone in self.phones if phone.purpose == purpose), None)


@dataclass(frozen=True)
class Catalog:
    """Every provider, error type and shared text of the catalog."""

    providers: tuple[ProviderInfo, ...]
    error_types: Mapping[str, ErrorType]
    texts: Mapping[str, Text]
    reasons: Mapping[str, Text] = field(default_factory=dict)  # cancellation reason labels

    def provider(self, key: str) -> ProviderInfo | None:
        """The provider with catalog key ``key`` (e.g. ``"uber_eats"``), if any."""
        return next((info for info in self.providers if info.key == key), None)

    def find_provider(self, text: str | None) -> ProviderInfo | None:
        """The provider whose key, name or alias matches ``text``.

        Matching ignores case, accents, spaces and punctuation: ``"uber-eats"``,
        ``"UberEats"`` and ``"Uber Eats"`` all name Uber Eats.
        """
        wanted = normalize_name(text or "")
        if not wanted:
            return None
        for info in self.providers:
            if wanted in {normalize_name(name) for name in _names(info)}:
                return info
        return None

    def cancel_reasons(self, provider_key: str) -> tuple[tuple[str, Text], ...]:
        """``(key, label)`` of each reason a live order of the provider can be cancelled with.

        Empty for a provider that does not cancel through us.
        """
        info = self.provider(provider_key)
        keys = info.cancel_reasons if info and info.cancel_via_us else ()
        return tuple((key, self.reasons[key]) for key in keys)

    def guide(self, provider_key: str, case: str | None) -> Guide | None:
        """The guide for ``case`` at provider ``provider_key``, if the catalog has one."""
        info = self.provider(provider_key)
        return info.guides.get(case) if info and case else None


def normalize_name(text: str) -> str:
    """``text`` folded for name matching: lower-case, no accents, letters and digits only."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def is_stale(last_verified: date, now: datetime | None = None) -> bool:
    """Whether ``last_verified`` is more than :data:`STALE_AFTER_DAYS` days before ``now``.

    Args:
        last_verified: The day a guide was last checked against the provider's portal.
        now: The current time (aware); defaults to the current UTC time.
    """
    today = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    return (today - last_verified).days > STALE_AFTER_DAYS


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read and validate the catalog at ``path`` (cached per path).

    Raises:
        CatalogError: A text lacks a language, a field is missing or unknown, or two
            providers share a name or alias.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _parse(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"{path.name}: malformed entry ({exc!r})") from exc


def get_catalog() -> Catalog:
    """The product's provider catalog (read once)."""
    return load_catalog(CATALOG_PATH)


def find_provider(text: str | None) -> ProviderInfo | None:
    """The catalog provider that ``text`` names (display name, alias or key), if any."""
    return get_catalog().find_provider(text)


def _names(info: ProviderInfo) -> tuple[str, ...]:
    return (info.key, info.name, *info.aliases)


def _text(raw: Any, where: str) -> Text:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a text in {', '.join(LANGUAGES)}")
    translations = {lang: raw.get(lang) for lang in LANGUAGES}
    for lang, value in translations.items():
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"{where}: missing the {lang!r} text")
        fields = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        if fields - _PLACEHOLDERS:
            raise CatalogError(f"{where}[{lang}]: unknown placeholder(s) {fields - _PLACEHOLDERS}")
    extra = set(raw) - set(LANGUAGES)
    if extra:
        raise CatalogError(f"{where}: unsupported language(s) {sorted(extra)}")
    return Text(translations)


def _texts(raw: Any, where: str) -> tuple[Text, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogError(f"{where}: expected a non-empty list of texts")
    return tuple(_text(item, f"{where}[{index}]") for index, item in enumerate(raw))


def _date(raw: Any, where: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise CatalogError(f"{where}: not a YYYY-MM-DD date: {raw!r}") from exc


def _parse(raw: Mapping[str, Any]) -> Catalog:
    texts = {key: _text(value, f"texts.{key}") for key, value in raw.get("texts", {}).items()}
    error_types: dict[str, ErrorType] = {}
    for key, entry in raw["error_types"].items():
        where = f"error_types.{key}"
        if entry["next_step"] not in NEXT_STEP_KINDS:
            raise CatalogError(f"{where}.next_step: one of {NEXT_STEP_KINDS}")
        error_types[key] = ErrorType(
            key=key,
            next_step=entry["next_step"],
            problem=_text(entry["problem"], f"{where}.problem"),
            summary=_text(entry["summary"], f"{where}.summary"),
            steps=_texts(entry["steps"], f"{where}.steps"),
        )
    cancelling = raw.get("cancellation_reasons") or {}
    reasons = {
        key: _text(label, f"cancellation_reasons.reasons.{key}")
        for key, label in (cancelling.get("reasons") or {}).items()
    }
    default = tuple(str(key) for key in cancelling.get("default") or ())
    providers = tuple(_provider(entry, error_types, reasons, default) for entry in raw["providers"])
    _check_unique_names(providers)
    return Catalog(providers=providers, error_types=error_types, texts=texts, reasons=reasons)


def _provider(
    entry: Mapping[str, Any],
    error_types: Mapping[str, ErrorType],
    reasons: Mapping[str, Text],
    default_reasons: tuple[str, ...],
) -> ProviderInfo:
    key = str(entry["key"])
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise CatalogError(f"providers.{key}: keys are lower_snake_case")
    phones = []
    for index, phone in enumerate(entry.get("phones") or []):
        where = f"providers.{key}.phones[{index}]"
        if phone["purpose"] not in PHONE_PURPOSES:
            raise CatalogError(f"{where}.purpose: one of {PHONE_PURPOSES}")
        note = _text(phone["note"], f"{where}.note") if phone.get("note") else None
        phones.append(Phone(phone["purpose"], str(phone["number"]), phone.get("vanity"), note))
    guides = {}
    for case, guide in (entry.get("guides") or {}).items():
        where = f"providers.{key}.guides.{case}"
        if guide["error_type"] not in error_types:
            raise CatalogError(f"{where}.error_type: unknown {guide['error_type']!r}")
        guides[case] = Guide(
            case=case,
            error_type=guide["error_type"],
            problem=_text(guide["problem"], f"{where}.problem"),
            steps=_texts(guide["steps"], f"{where}.steps"),
            contact=_text(guide["contact"], f"{where}.contact") if guide.get("contact") else None,
            owner=str(guide["owner"]),
            last_verified=_date(guide["last_verified"], f"{where}.last_verified"),
        )
    cancel_reasons = tuple(str(r) for r in entry.get("cancellation_reasons") or default_reasons)
    unknown = [reason for reason in cancel_reasons if reason not in reasons]
    if entry["cancel_via_us"] and (unknown or not cancel_reasons):
        raise CatalogError(f"providers.{key}: cancellation reasons unknown or none: {unknown}")
    return ProviderInfo(
        key=key,
        name=str(entry["name"]),
        aliases=tuple(str(alias) for alias in entry.get("aliases") or ()),
        self_repair=bool(entry["self_repair"]),
        cancel_via_us=bool(entry["cancel_via_us"]),
        phones=tuple(phones),
        guides=guides,
        cancel_reasons=cancel_reasons if entry["cancel_via_us"] else (),
    )


def _check_unique_names(providers: tuple[ProviderInfo, ...]) -> None:
    seen: dict[str, str] = {}
    for info in providers:
        for name in {normalize_name(name) for name in _names(info)}:
            if name in seen and seen[name] != info.key:
                raise CatalogError(f"{name!r} names both {seen[name]} and {info.key}")
            seen[name] = info.key
