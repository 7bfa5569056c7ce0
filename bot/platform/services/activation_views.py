"""What activation shows: each store link of a provider, and whether it can be activated.

A link can be activated when it is connected, passed the provider's QA and is not
activated yet. Any other link gets a reason, never silence:

* ``disconnected``: the account lost its connection; the fix is ``reconnect`` or the
  provider-portal steps (``portal_steps``), as the status answer says;
* ``awaiting_qa``: connected, but the provider has not passed its QA checks yet;
* ``already_active``: it already takes orders through us.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.platform.models import Location, StoreLink
from bot.platform.providers.catalog import Catalog, ProviderInfo
from bot.platform.services.repair_accounts import problem_text
from bot.platform.services.store_links import links_statement

REASONS: tuple[str, ...] = ("disconnected", "awaiting_qa", "already_active")


@dataclass(frozen=True)
class ActivationLink:
    """One store link as activation sees it.

    Attributes:
        link_id: The store link's id (what the Activate buttons carry).
        account_id: The provider account's id.
        account: The account's label.
        provider: The provider's display name.
        location: The store's location.
        brand: The store's brand.
        reason: ``None`` when it can be activated, else one of :data:`REASONS`.
        error_type: The link's error type (``disconnected`` only).
        problem: What is wrong, in plain words (``disconnected`` only).
        fix: ``reconnect`` or ``portal_steps`` (``disconnected`` only).
    """

    link_id: int
    account_id: str
    account: str
    provider: str
    location: str
    brand: str
    reason: str | None = None
    error_type: str | None = None
    problem: str | None = None
    fix: str | None = None


def link_reason(link: StoreLink) -> str | None:
    """Why ``link`` cannot be activated, or ``None`` when it can."""
    if link.state == "disconnected":
        return "disconnected"
    if link.activated or link.state == "active":
        return "already_active"
    if not link.passed_qa:
        return "awaiting_qa"
    return None


def describe(catalog: Catalog, link: StoreLink, lang: str) -> ActivationLink:
    """``link`` as activation shows it, with its reason and fix in ``lang``."""
    account = link.account
    info = catalog.provider(account.provider_key)
    name = info.name if info else account.provider.name
    reason = link_reason(link)
    problem = fix = None
    if reason == "disconnected" and link.error_type:
        problem = problem_text(account, link.error_type, link.error_case, lang)
        error = catalog.error_types.get(link.error_type)
        fix = error.next_step if error else "reconnect"
        if fix != "reconnect":
            fix = "portal_steps"
    return ActivationLink(
        link_id=link.id,
        account_id=account.id,
        account=account.label,
        provider=name,
        location=link.store.location.name,
        brand=link.store.brand.name,
        reason=reason,
        error_type=link.error_type if reason == "disconnected" else None,
        problem=problem,
        fix=fix,
    )


def organization_links(
    session: Session,
    organization_id: int,
    provider: ProviderInfo | None = None,
    location: Location | None = None,
    link_ids: Sequence[int] | None = None,
) -> list[StoreLink]:
    """The organization's store links, filtered, sorted by provider, location and brand.

    Both the account and the store's location must belong to the organization, so
    another organization's links are never returned.
    """
    statement = links_statement(organization_id, provider, location)
    if link_ids is not None:
        statement = statement.where(StoreLink.id.in_(list(link_ids)))
    links = session.scalars(statement).unique().all()
    return sorted(
        links,
        key=lambda link: (
            link.account.provider.name.casefold(),
            link.store.location.name.casefold(),
            link.store.brand.name.casefold(),
            link.id,
        ),
    )
