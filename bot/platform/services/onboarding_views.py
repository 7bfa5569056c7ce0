"""What an onboarding reads as: its API view, and finding the caller's onboardings.

An onboarding belongs to its organization: anyone else gets ``Forbidden`` (unknown ids
too, so ids are never confirmed). Reading an onboarding first lets it move on by
itself (``onboarding_progress.refresh``): after the sign-in on the pairing page, and
when the provider's QA is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.languages import normalize_language
from bot.platform.models import (
    Brand,
    Location,
    PairingSession,
    ProviderAccount,
    StoreLink,
    User,
    utcnow,
)
from bot.platform.models.onboarding import Onboarding
from bot.platform.providers.catalog import get_catalog
from bot.platform.providers.eligibility import get_eligibility
from bot.platform.services.eligibility import Failure, check_store_ids, criteria_names
from bot.platform.services.errors import Forbidden, NoPairing
from bot.platform.services.pairing_views import effective_state


@dataclass(frozen=True)
class OnboardingView:
    """An onboarding as the API shows it (texts in the requested language)."""

    onboarding_id: str
    provider: str
    provider_key: str
    location: str
    state: str
    criteria: list[str]
    account_id: str | None
    account: str | None
    pairing: dict[str, Any] | None
    brand_mode: str | None
    brands: list[str]
    stores: list[dict[str, Any]]
    failing: list[Failure]
    linked: list[dict[str, Any]]
    alert: dict[str, Any] | None
    qa_due_at: datetime | None
    url: str | None = None
    replayed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def provider_display(provider_key: str) -> str:
    """The catalog display name of a provider."""
    info = get_catalog().provider(provider_key)
    return info.name if info else provider_key


def load_onboarding(
    session: Session, user: User, onboarding_id: str, *, for_update: bool = False
) -> Onboarding:
    """The caller's organization's onboarding ``onboarding_id``.

    Raises:
        Forbidden: Unknown, or another organization's (one answer for both).
    """
    onboarding = session.get(Onboarding, onboarding_id, with_for_update=for_update or None)
    if onboarding is None or onboarding.organization_id != user.organization_id:
        raise Forbidden()
    return onboarding


def latest_onboarding(session: Session, user: User, conversation_id: str) -> Onboarding:
    """The newest onboarding the user started from the conversation.

    Raises:
        NoPairing: There is none (code ``no_pairing``, like the repair's current pairing).
    """
    found = None
    if conversation_id:
        found = session.scalars(
            select(Onboarding)
            .where(Onboarding.user_id == user.id, Onboarding.conversation_id == conversation_id)
            .order_by(Onboarding.created_at.desc(), Onboarding.id)
            .limit(1)
        ).first()
    if found is None:
        raise NoPairing()
    return found


def onboarding_view(
    session: Session, onboarding: Onboarding, lang: str | None, now: datetime | None = None
) -> OnboardingView:
    """The API view of ``onboarding`` in ``lang`` (the onboarding's language by default)."""
    now = now or utcnow()
    lang = normalize_language(lang or onboarding.language)
    provider = provider_display(onboarding.provider_key)
    location = session.get(Location, onboarding.location_id)
    assert location is not None  # a foreign key
    account = session.get(ProviderAccount, onboarding.account_id) if onboarding.account_id else None
    listed = list(onboarding.provider_stores or [])
    return OnboardingView(
        onboarding_id=onboarding.id,
        provider=provider,
        provider_key=onboarding.provider_key,
        location=location.name,
        state=onboarding.state,
        criteria=criteria_names(onboarding.provider_key, provider, lang),
        account_id=account.id if account else None,
        account=account.label if account else None,
        pairing=_pairing(session, onboarding, account, now),
        brand_mode=onboarding.brand_mode,
        brands=_brands(session, listed),
        stores=[{**entry, "name": f"{entry['location']} / {entry['brand']}"} for entry in listed],
        failing=check_store_ids(onboarding.provider_key, provider, listed, lang),
        linked=_linked(session, onboarding),
        alert=_alert(session, onboarding, provider, lang),
        qa_due_at=onboarding.qa_due_at,
    )


def _pairing(
    session: Session,
    onboarding: Onboarding,
    account: ProviderAccount | None,
    now: datetime,
) -> dict[str, Any] | None:
    pairing = session.get(PairingSession, onboarding.pairing_id) if onboarding.pairing_id else None
    if pairing is None:
        return None
    state, outcome = effective_state(pairing, now)
    return {
        "pairing_id": pairing.id,
        "state": state,
        "outcome": outcome,
        "asks_code": bool(account and account.asks_2fa) or state == "awaiting_code",
        "expires_at": pairing.expires_at.isoformat(),
    }


def _brands(session: Session, listed: list[dict[str, Any]]) -> list[str]:
    """The existing brands the login's stores would merge with."""
    return sorted({str(entry["brand"]) for entry in listed}, key=str.casefold)


def _linked(session: Session, onboarding: Onboarding) -> list[dict[str, Any]]:
    links = [session.get(StoreLink, link_id) for link_id in onboarding.link_ids or []]
    return [
        {
            "location": link.store.location.name,
            "brand": link.store.brand.name,
            "store_id": link.store_id,
            "state": link.state,
            "passed_qa": link.passed_qa,
            "activated": link.activated,
        }
        for link in links
        if link is not None
    ]


def _alert(
    session: Session, onboarding: Onboarding, provider: str, lang: str
) -> dict[str, Any] | None:
    if not onboarding.alert:
        return None
    info = get_eligibility().alert(onboarding.alert)
    names = []
    for link_id in onboarding.link_ids or []:
        link = session.get(StoreLink, link_id)
        if link is not None and link.store_id in (onboarding.alert_store_ids or []):
            names.append(f"{link.store.location.name} / {link.store.brand.name}")
    store = ", ".join(names)
    return {
        "code": info.key if onboarding.alert in get_eligibility().alerts else onboarding.alert,
        "name": info.name.get(lang, provider=provider, store=store),
        "fix": info.fix.get(lang, provider=provider, store=store),
        "retry": info.retry,
        "stores": names,
    }


def brand_names(session: Session, organization_id: int) -> list[str]:
    """The organization's brand names, sorted."""
    statement = select(Brand.name).where(Brand.organization_id == organization_id)
    return sorted(session.scalars(statement).all(), key=str.casefold)


def onboarding_of_pairing(session: Session, pairing_id: str | None) -> Onboarding | None:
    """The onboarding whose new account a pairing signs in, if it is one (else repair's)."""
    pairing = session.get(PairingSession, pairing_id) if pairing_id else None
    if pairing is None:
        return None
    return session.scalars(
        select(Onboarding).where(Onboarding.account_id == pairing.account_id).limit(1)
    ).first()
