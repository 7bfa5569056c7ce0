"""Activation: making us the primary order manager of a provider at some locations.

Once an account is connected and its stores passed the provider's QA, each store link
is activated on its own ("Activate" in the seed's chatbot). Activating a link tells the
provider (adapter ``activate_store``) that orders now go through us: any other
order-management connection of that provider at that location is disconnected.

Only users who may manage integrations may list or activate (others get the names of
those who may); every activation runs once per link (``operations.run_once``, kind
``integration.activate``, key the link's id) and is audit-logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.languages import normalize_language
from bot.platform.models import StoreLink, User, utcnow
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.catalog import Catalog, get_catalog
from bot.platform.providers.registry import adapter_for
from bot.platform.services.activation_views import (
    ActivationLink,
    describe,
    link_reason,
    organization_links,
)
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import Forbidden, ServiceError
from bot.platform.services.operations import OperationBusy, OperationFailed, run_once
from bot.platform.services.repair_accounts import account_ref, require_manager
from bot.platform.services.store_links import find_location_filter, find_provider_filter

KIND = "integration.activate"
MAX_LINKS = 50


class NoLinks(ServiceError):
    """An activation request that names no store link."""

    code = "no_links"


@dataclass(frozen=True)
class ActivationOverview:
    """The caller's store links for a provider (or all), split by what activation can do.

    Attributes:
        provider: The provider filter's display name (``None``: every provider).
        location: The location filter's name (``None``: every location).
        activatable: Links that can be activated now.
        blocked: Links that cannot be activated yet, each with its reason and fix.
        active: Links already activated.
    """

    provider: str | None
    location: str | None
    activatable: list[ActivationLink]
    blocked: list[ActivationLink]
    active: list[ActivationLink]


@dataclass(frozen=True)
class LinkOutcome:
    """What happened to one link of an activation request.

    ``outcome``: ``activated``; ``already_active`` (nothing to do); ``failed`` (the
    provider refused: ``error``, e.g. ``activation_failed``); ``not_activatable``
    (``link.reason`` says why); ``in_progress`` (another request is still activating it).
    """

    link: ActivationLink
    outcome: str
    error: str | None = None
    replayed: bool = False


def activation_overview(
    session: Session,
    user: User,
    *,
    provider: str | None = None,
    location: str | None = None,
    lang: str | None = None,
    catalog: Catalog | None = None,
) -> ActivationOverview:
    """What the caller's organization can activate, for one provider or all.

    Raises:
        NotAllowed: The caller may not manage integrations (``who_can``).
        UnknownProvider: ``provider`` names no catalog provider.
        UnknownLocation: ``location`` names no location of the caller's organization.
    """
    catalog = catalog or get_catalog()
    lang = normalize_language(lang or user.language)
    require_manager(session, user)
    wanted_provider = find_provider_filter(catalog, provider)
    wanted_location = find_location_filter(session, user.organization_id, location)
    links = organization_links(session, user.organization_id, wanted_provider, wanted_location)
    views = [describe(catalog, link, lang) for link in links]
    return ActivationOverview(
        provider=wanted_provider.name if wanted_provider else None,
        location=wanted_location.name if wanted_location else None,
        activatable=[view for view in views if view.reason is None],
        blocked=[view for view in views if view.reason not in (None, "already_active")],
        active=[view for view in views if view.reason == "already_active"],
    )


def activate_links(
    session: Session,
    settings: Settings,
    user: User,
    link_ids: Sequence[int],
    *,
    request_id: str | None = None,
    lang: str | None = None,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> list[LinkOutcome]:
    """Activate the caller's store links, each once, and say what happened to each.

    A link that can be activated is activated through the provider's adapter, once: a
    second request, or concurrent ones, get the first one's answer (``replayed``). A
    link that cannot be activated gets its reason and is left alone.

    Raises:
        NotAllowed: The caller may not manage integrations (``who_can``).
        Forbidden: A link is unknown or another organization's (nothing is activated).
        NoLinks: No link was named.
    """
    catalog = get_catalog()
    lang = normalize_language(lang or user.language)
    require_manager(session, user)
    wanted = list(dict.fromkeys(int(link_id) for link_id in link_ids))[:MAX_LINKS]
    if not wanted:
        raise NoLinks()
    links = organization_links(session, user.organization_id, link_ids=wanted)
    if len(links) != len(wanted):
        raise Forbidden()
    views = {link.id: describe(catalog, link, lang) for link in links}
    outcomes: list[LinkOutcome] = []
    targets = [(link.id, link.account.provider_key) for link in links]
    for link_id, provider_key in targets:
        view = views[link_id]
        if view.reason not in (None, "already_active"):
            outcomes.append(LinkOutcome(view, "not_activatable"))
            continue
        chosen = adapter or adapter_for(session, settings, provider_key)
        outcomes.append(_activate_one(session, user, chosen, view, request_id, now))
    return outcomes


def _activate_one(
    session: Session,
    user: User,
    adapter: ProviderAdapter,
    view: ActivationLink,
    request_id: str | None,
    now: datetime | None,
) -> LinkOutcome:
    detail = {
        "link_id": view.link_id,
        "account_id": view.account_id,
        "account": view.account,
        "provider": view.provider,
        "store": f"{view.location} / {view.brand}",
        "request_id": request_id,
    }

    def effect(db: Session, idempotency_key: str) -> dict[str, Any]:
        link = db.get(StoreLink, view.link_id, with_for_update=True)
        if link is None:
            raise OperationFailed({"outcome": "failed", "error": "not_found"})
        reason = link_reason(link)
        if reason == "already_active":
            return {"outcome": "already_active"}
        if reason is not None:
            raise OperationFailed({"outcome": "not_activatable", "reason": reason})
        answer = adapter.activate_store(account_ref(link.account, []), link.id, idempotency_key)
        if not answer.ok:
            raise OperationFailed({"outcome": "failed", "error": answer.error or "provider_error"})
        link.state = "active"
        link.activated = True
        link.since = now or utcnow()
        record_audit(
            db,
            organization_id=user.organization_id,
            user_id=user.id,
            action=KIND,
            detail=detail,
        )
        return {"outcome": "activated"}

    try:
        done = run_once(
            session,
            organization_id=user.organization_id,
            user_id=user.id,
            kind=KIND,
            key=str(view.link_id),
            effect=effect,
            failure_audit="integration.activate_failed",
            audit_detail=detail,
        )
    except OperationBusy:
        return LinkOutcome(view, "in_progress")
    outcome = str(done.result.get("outcome") or ("activated" if done.succeeded else "failed"))
    if outcome == "not_activatable":
        reason = str(done.result.get("reason") or "")
        return LinkOutcome(
            replace(view, reason=reason or view.reason), outcome, None, done.replayed
        )
    if outcome in ("activated", "already_active"):
        view = replace(view, reason=None)
    return LinkOutcome(view, outcome, done.result.get("error"), done.replayed)
