"""Checking a provider's onboarding eligibility criteria (``providers/eligibility.yml``).

The menu criteria (a menu that is not empty, no empty items, enough menu hours) are
checked from our own menus before the merchant signs in to the provider. The store-id
criterion (a valid, active provider store id) can only be checked once the merchant
has signed in: the provider then lists the login's stores and their ids
(:func:`check_store_ids`). Each failing criterion comes with its fix, in the
conversation's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import Menu, Store
from bot.platform.providers.eligibility import (
    BEFORE_SIGN_IN,
    Criterion,
    Eligibility,
    get_eligibility,
)


@dataclass(frozen=True)
class Failure:
    """A criterion a store does not meet, what it means and how to fix it."""

    criterion: str
    store: str  # "Location / Brand"
    name: str
    problem: str
    fix: str


def store_label(store: Store) -> str:
    """``Location / Brand`` of a store."""
    return f"{store.location.name} / {store.brand.name}"


def criteria_names(
    provider_key: str, provider: str, lang: str, catalog: Eligibility | None = None
) -> list[str]:
    """The names of every criterion of a provider, in ``lang``."""
    catalog = catalog or get_eligibility()
    return [
        catalog.criteria[item.key].name.get(lang, provider=provider, minutes=_minutes(item))
        for item in catalog.for_provider(provider_key)
    ]


def check_menus(
    session: Session,
    provider_key: str,
    provider: str,
    stores: Sequence[Store],
    lang: str,
    catalog: Eligibility | None = None,
) -> list[Failure]:
    """The menu criteria of the provider each store fails (empty when all pass).

    Args:
        session: An open session.
        provider_key: The catalog key of the provider.
        provider: Its display name (in the texts).
        stores: The stores to onboard.
        lang: The language of the texts.
        catalog: The eligibility catalog (the product's by default).
    """
    catalog = catalog or get_eligibility()
    menu_criteria = [c for c in catalog.for_provider(provider_key) if c.key in BEFORE_SIGN_IN]
    failures: list[Failure] = []
    for store in stores:
        menu = session.scalars(select(Menu).where(Menu.store_id == store.id)).first()
        for criterion in menu_criteria:
            failed, items = _fails(criterion, menu)
            if failed:
                failures.append(
                    _failure(catalog, criterion, store_label(store), provider, lang, items)
                )
    return failures


def check_store_ids(
    provider_key: str,
    provider: str,
    provider_stores: Iterable[dict[str, Any]],
    lang: str,
    catalog: Eligibility | None = None,
) -> list[Failure]:
    """The store-id criterion for the stores the provider listed after the sign-in.

    A listed store that is not active fails (when the provider has the criterion).
    """
    catalog = catalog or get_eligibility()
    criterion = next((c for c in catalog.for_provider(provider_key) if c.key == "store_id"), None)
    if criterion is None:
        return []
    return [
        _failure(catalog, criterion, f"{entry['location']} / {entry['brand']}", provider, lang, "")
        for entry in provider_stores
        if not entry.get("active")
    ]


def _fails(criterion: Criterion, menu: Menu | None) -> tuple[bool, str]:
    """Whether ``menu`` fails ``criterion``, and the empty items' names (no_empty_items)."""
    items = list(menu.items) if menu is not None else []
    if criterion.key == "menu_not_empty":
        return not items, ""
    if criterion.key == "no_empty_items":
        empty = menu.empty_items if menu is not None else []
        names = ", ".join((item.name or "?").strip() or "?" for item in empty)
        return bool(empty), names
    if criterion.key == "menu_hours":
        minutes = menu.weekly_open_minutes if menu is not None else 0
        return minutes < criterion.min_weekly_minutes, ""
    return False, ""


def _failure(
    catalog: Eligibility,
    criterion: Criterion,
    store: str,
    provider: str,
    lang: str,
    items: str,
) -> Failure:
    info = catalog.criteria[criterion.key]
    fields = {"provider": provider, "store": store, "minutes": _minutes(criterion), "items": items}
    return Failure(
        criterion=criterion.key,
        store=store,
        name=info.name.get(lang, **fields),
        problem=info.problem.get(lang, **fields),
        fix=info.fix.get(lang, **fields),
    )


def _minutes(criterion: Criterion) -> int:
    return criterion.min_weekly_minutes
