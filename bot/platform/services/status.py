"""Integration status: which provider accounts are broken, why, and what fixes them.

Everything is limited to the caller's organization; texts are in the requested language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.languages import normalize_language
from bot.platform.models import (
    Location,
    Organization,
    RepairRequest,
    StoreLink,
    User,
)
from bot.platform.providers.catalog import Catalog, ErrorType, Guide, ProviderInfo, get_catalog
from bot.platform.services.store_links import (
    find_location_filter,
    find_provider_filter,
    links_statement,
)
from bot.platform.services.users import integration_managers


@dataclass(frozen=True)
class StoreRef:
    """A store as people name it: its location and brand."""

    location: str
    brand: str


@dataclass(frozen=True)
class NextStep:
    """What fixes a broken account, and whether the caller may do it."""

    kind: str  # "reconnect" | "portal_steps"
    summary: str
    allowed: bool  # reconnect: may reconnect; portal_steps: may see the steps (everyone)
    check_allowed: bool  # may run the check after "I've completed these steps" / reconnect
    who_can: list[str]  # users of the organization who may manage integrations
    steps: list[str]
    contact: str | None
    guide_last_verified: date | None
    guide_stale: bool


@dataclass(frozen=True)
class BrokenAccount:
    """One provider account's disconnected stores that share an error."""

    account_id: str
    provider: str
    label: str
    error_type: str
    error_case: str | None
    problem: str
    since: datetime
    stores: list[StoreRef]
    next_step: NextStep
    requested_by: list[str]  # users who asked the integration managers to fix it (open)


@dataclass(frozen=True)
class WorkingAccount:
    """A provider account with no disconnected store (in the filter)."""

    account_id: str
    provider: str
    label: str
    state: str  # "active", or "connected" while some store is not activated yet
    stores: list[StoreRef]


@dataclass(frozen=True)
class StatusFilters:
    """The filters applied, in their canonical spelling (``None``: not filtered)."""

    provider: str | None
    location: str | None


@dataclass(frozen=True)
class IntegrationStatus:
    """The integration status of one organization, as one user may see it."""

    organization: str
    filters: StatusFilters
    broken: list[BrokenAccount]
    working: list[WorkingAccount]


def integration_status(
    session: Session,
    user: User,
    *,
    provider: str | None = None,
    location: str | None = None,
    lang: str | None = None,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> IntegrationStatus:
    """The broken and working provider accounts of ``user``'s organization.

    Args:
        session: An open session.
        user: The caller; only their organization is looked at.
        provider: A provider's display name or alias, or ``None`` for all providers.
        location: A location name of the caller's organization (any case), or ``None``.
        lang: The language of the texts (``en``, ``fr``, ``es``; others fall back to ``en``).
        now: The current time, for guide staleness; defaults to the current UTC time.
        catalog: The provider catalog; the product's catalog by default.

    Returns:
        One broken entry per (account, error type, error case) with its disconnected
        stores, and the accounts without a disconnected store, sorted by provider, label.

    Raises:
        UnknownProvider: ``provider`` names no provider of the catalog (``valid``: the
            catalog's display names).
        UnknownLocation: ``location`` names no location of the caller's organization
            (``valid``: that organization's location names, and no other's).
    """
    catalog = catalog or get_catalog()
    lang = normalize_language(lang)
    now = now or datetime.now(timezone.utc)
    org_id = user.organization_id
    wanted_provider = find_provider_filter(catalog, provider)
    wanted_location = find_location_filter(session, org_id, location)

    by_account: dict[str, list[StoreLink]] = {}
    for link in _links(session, org_id, wanted_provider, wanted_location):
        by_account.setdefault(link.account_id, []).append(link)

    who_can = integration_managers(session, org_id)
    requested = _open_requests(session, org_id)
    broken: list[BrokenAccount] = []
    working: list[WorkingAccount] = []
    for links in by_account.values():
        account = links[0].account
        info = catalog.provider(account.provider_key)
        name = info.name if info else account.provider.name
        disconnected = [link for link in links if link.state == "disconnected"]
        if not disconnected:
            state = "connected" if any(link.state == "connected" for link in links) else "active"
            working.append(WorkingAccount(account.id, name, account.label, state, _stores(links)))
            continue
        groups: dict[tuple[str, str | None], list[StoreLink]] = {}
        for link in disconnected:
            groups.setdefault((link.error_type or "", link.error_case), []).append(link)
        for (error_type, error_case), group in groups.items():
            error = catalog.error_types[error_type]
            guide = catalog.guide(account.provider_key, error_case)
            if guide is not None and guide.error_type != error_type:
                guide = None
            broken.append(
                BrokenAccount(
                    account_id=account.id,
                    provider=name,
                    label=account.label,
                    error_type=error_type,
                    error_case=error_case,
                    problem=(guide.problem if guide else error.problem).get(lang, provider=name),
                    since=min(link.since for link in group),
                    stores=_stores(group),
                    next_step=_next_step(
                        catalog, info, name, error, guide, user, who_can, lang, now
                    ),
                    requested_by=requested.get(account.id, []),
                )
            )

    broken.sort(key=lambda b: (b.provider.casefold(), b.label.casefold(), b.error_type))
    working.sort(key=lambda w: (w.provider.casefold(), w.label.casefold(), w.account_id))
    organization = session.get(Organization, org_id)
    return IntegrationStatus(
        organization=organization.name if organization else "",
        filters=StatusFilters(
            provider=wanted_provider.name if wanted_provider else None,
            location=wanted_location.name if wanted_location else None,
        ),
        broken=broken,
        working=working,
    )


def _open_requests(session: Session, org_id: int) -> dict[str, list[str]]:
    """Account id -> names of the users with an open repair request for it, sorted."""
    statement = (
        select(RepairRequest.account_id, User.name)
        .join(User, User.id == RepairRequest.requested_by)
        .where(RepairRequest.organization_id == org_id, RepairRequest.closed_at.is_(None))
    )
    names: dict[str, set[str]] = {}
    for account_id, name in session.execute(statement):
        names.setdefault(account_id, set()).add(name)
    return {account_id: sorted(found) for account_id, found in names.items()}


def _links(
    session: Session, org_id: int, provider: ProviderInfo | None, location: Location | None
) -> Sequence[StoreLink]:
    statement = links_statement(org_id, provider, location).order_by(
        StoreLink.account_id, StoreLink.id
    )
    return session.scalars(statement).unique().all()


def _stores(links: Sequence[StoreLink]) -> list[StoreRef]:
    refs = {StoreRef(link.store.location.name, link.store.brand.name) for link in links}
    return sorted(refs, key=lambda ref: (ref.location.casefold(), ref.brand.casefold()))


def _next_step(
    catalog: Catalog,
    info: ProviderInfo | None,
    name: str,
    error: ErrorType,
    guide: Guide | None,
    user: User,
    who_can: list[str],
    lang: str,
    now: datetime,
) -> NextStep:
    manage = user.can_manage_integrations
    if error.next_step == "reconnect":
        return NextStep(
            kind="reconnect",
            summary=error.summary.get(lang, provider=name),
            allowed=manage,
            check_allowed=manage,
            who_can=list(who_can),
            steps=[step.get(lang, provider=name) for step in error.steps],
            contact=None,
            guide_last_verified=None,
            guide_stale=False,
        )
    steps = guide.steps if guide else error.steps
    if guide is not None and guide.contact is not None:
        contact: str | None = guide.contact.get(lang, provider=name)
    else:
        contact = _phone_contact(catalog, info, name, lang)
    return NextStep(
        kind="portal_steps",
        summary=error.summary.get(lang, provider=name),
        allowed=True,  # the steps are shown to anyone of the organization
        check_allowed=manage,
        who_can=list(who_can),
        steps=[step.get(lang, provider=name) for step in steps],
        contact=contact,
        guide_last_verified=guide.last_verified if guide else None,
        guide_stale=guide.is_stale(now) if guide else False,
    )


def _phone_contact(catalog: Catalog, info: ProviderInfo | None, name: str, lang: str) -> str | None:
    phone = info.phone("support") if info else None
    template = catalog.texts.get("phone_contact")
    if phone is None or template is None:
        return None
    return template.get(lang, provider=name, number=phone.display(lang))
