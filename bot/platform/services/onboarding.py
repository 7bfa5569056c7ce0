"""Onboarding a new provider account by chat: "connect DoorDash at Airport".

The seed's connection steps, driven by the platform (the bot only shows the answers):

1. eligibility: the provider's menu criteria (``providers/eligibility.yml``) on every
   store of the location not yet on that provider; failing ones are named with their
   fix, and nothing is created. The store-id criterion needs the provider's list of
   the login's stores, so it is checked after the sign-in (step 3).
2. the one-time pairing link, for a NEW provider account created for the onboarding
   (the repair's pairing page and machinery; ``onboarding_steps.send_link``);
3. after the sign-in: merge with an existing brand or create a new one, then the
   stores (``onboarding_steps``); their menus are exported to the provider;
4. "waiting for the provider's QA" until the (sandbox) provider passes it
   (``onboarding_progress``); the links then are connected, passed QA, not activated.
   A failed menu export is an alert with its fix; "Retry menu export" (``menu_export``).

Every step checks that the caller may manage integrations (403 ``not_allowed`` with
``who_can``) and that the onboarding is their organization's (403 ``forbidden``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.identity import Identity
from bot.platform.languages import normalize_language
from bot.platform.models import ProviderAccount, Store, StoreLink, User, utcnow
from bot.platform.models.onboarding import Onboarding
from bot.platform.providers.catalog import get_catalog
from bot.platform.services.eligibility import Failure, check_menus, criteria_names, store_label
from bot.platform.services.errors import ServiceError, UnknownLocation, UnknownProvider
from bot.platform.services.locations import find_location, location_names
from bot.platform.services.onboarding_views import OnboardingView, onboarding_view
from bot.platform.services.repair_accounts import require_manager


class AlreadyConnected(ServiceError):
    """Every store of the location is already on that provider (``accounts``: labels)."""

    code = "already_connected"

    def __init__(self, provider: str, accounts: list[str], stores: list[str]) -> None:
        super().__init__()
        self.provider = provider
        self.accounts = accounts
        self.stores = stores


class WrongStep(ServiceError):
    """The onboarding is not at the step the request is for (``state``: where it is)."""

    code = "wrong_step"

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class EligibilityResult:
    """The answer to "connect <provider> at <location>"."""

    eligible: bool
    provider: str
    location: str
    criteria: list[str]
    stores: list[str]
    failing: list[Failure] = field(default_factory=list)
    onboarding: OnboardingView | None = None


def start_onboarding(
    session: Session,
    user: User,
    identity: Identity | None,
    provider: str,
    location: str,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> EligibilityResult:
    """Check the provider's criteria at the location; when eligible, open an onboarding.

    Args:
        session: An open session (committed here when an onboarding is created).
        user: The caller.
        identity: The caller's identity (its conversation is bound to the onboarding).
        provider: A provider's name or alias.
        location: A location name of the caller's organization.
        lang: The language of the texts.
        now: The current time (tests).

    Raises:
        NotAllowed: The caller may not manage integrations.
        UnknownProvider: No catalog provider has that name (``valid``: the names).
        UnknownLocation: No location of the organization has that name.
        AlreadyConnected: Every store of the location is already on that provider.
    """
    now = now or utcnow()
    require_manager(session, user)
    catalog = get_catalog()
    info = catalog.find_provider(provider)
    if info is None:
        raise UnknownProvider(provider, valid=[known.name for known in catalog.providers])
    place = find_location(session, user.organization_id, location)
    if place is None:
        raise UnknownLocation(location, valid=location_names(session, user.organization_id))
    lang = normalize_language(lang or user.language)
    stores, connected = _candidates(session, place.stores, info.key)
    if not stores:
        raise AlreadyConnected(
            info.name,
            sorted({link.account.label for link in connected}),
            sorted({store_label(link.store) for link in connected}),
        )
    failing = check_menus(session, info.key, info.name, stores, lang)
    result = EligibilityResult(
        eligible=not failing,
        provider=info.name,
        location=place.name,
        criteria=criteria_names(info.key, info.name, lang),
        stores=[store_label(store) for store in stores],
        failing=failing,
    )
    if failing:
        return result
    onboarding = Onboarding(
        id=uuid.uuid4().hex,
        organization_id=user.organization_id,
        user_id=user.id,
        provider_key=info.key,
        location_id=place.id,
        conversation_id=(identity.conversation_id or None) if identity else None,
        channel=(identity.channel or None) if identity else None,
        language=lang,
        state="ready",
        provider_stores=[],
        link_ids=[],
        created={},
        alert_store_ids=[],
        created_at=now,
        updated_at=now,
    )
    session.add(onboarding)
    session.commit()
    view = onboarding_view(session, onboarding, lang, now)
    return EligibilityResult(
        eligible=True,
        provider=result.provider,
        location=result.location,
        criteria=result.criteria,
        stores=result.stores,
        onboarding=view,
    )


def candidate_store_ids(session: Session, onboarding: Onboarding) -> set[int]:
    """Our ids of the onboarding location's stores not yet on its provider (other accounts)."""
    stores = session.scalars(select(Store).where(Store.location_id == onboarding.location_id))
    candidates, _ = _candidates(
        session, list(stores), onboarding.provider_key, exclude_account=onboarding.account_id
    )
    return {store.id for store in candidates}


def _candidates(
    session: Session,
    stores: list[Store],
    provider_key: str,
    *,
    exclude_account: str | None = None,
) -> tuple[list[Store], list[StoreLink]]:
    """The stores without a link of ``provider_key``, and the links of the others."""
    free: list[Store] = []
    connected: list[StoreLink] = []
    for store in sorted(stores, key=lambda s: s.brand.name.casefold()):
        links = [
            link
            for link in store.links
            if link.account.provider_key == provider_key and link.account_id != exclude_account
        ]
        if links:
            connected.extend(links)
        else:
            free.append(store)
    return free, connected


def account_of(session: Session, onboarding: Onboarding) -> ProviderAccount | None:
    """The onboarding's new provider account, once created."""
    return session.get(ProviderAccount, onboarding.account_id) if onboarding.account_id else None
