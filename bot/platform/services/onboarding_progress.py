"""An onboarding moving on by itself: after the sign-in, and when the provider's QA is due.

* ``pairing`` → ``choose_brand`` once the pairing of the onboarding's account has
  succeeded: the provider (sandbox) lists the login's stores and their ids, keeping
  the location's stores that are not on the provider through another account.
* ``waiting_qa`` → ``passed_qa`` once the provider's QA is due (``qa_due_at``) or the
  sandbox is told to pass it (``POST /internal/sandbox/onboardings/{id}/qa``): every
  link whose menu export succeeded passes QA; the links stay connected, not activated.

Both are audit-logged (``onboarding.signed_in``, ``onboarding.qa_passed``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import (
    Location,
    PairingSession,
    ProviderAccount,
    ProviderCredential,
    StoreLink,
    utcnow,
)
from bot.platform.models.onboarding import Onboarding
from bot.platform.providers.sandbox_onboarding import list_stores
from bot.platform.services.audit import record_audit
from bot.platform.services.onboarding import candidate_store_ids


def refresh(session: Session, onboarding: Onboarding, now: datetime | None = None) -> bool:
    """Let the onboarding move on if it can; commit and return whether it did."""
    now = now or utcnow()
    moved = False
    if onboarding.state == "pairing":
        moved = _after_sign_in(session, onboarding, now)
    due = onboarding.qa_due_at
    if onboarding.state == "waiting_qa" and due is not None and due <= now:
        pass_qa(session, onboarding, now)
        moved = True
    if moved:
        session.commit()
    return moved


def pass_qa(session: Session, onboarding: Onboarding, now: datetime | None = None) -> bool:
    """The provider's QA passes the onboarding's stores (not committed here).

    Returns:
        Whether anything changed (only an onboarding waiting for QA passes it).
    """
    if onboarding.state != "waiting_qa":
        return False
    now = now or utcnow()
    passed: list[str] = []
    for link_id in onboarding.link_ids or []:
        link = session.get(StoreLink, link_id)
        if link is None or link.store_id in (onboarding.alert_store_ids or []):
            continue
        link.passed_qa = True
        passed.append(f"{link.store.location.name} / {link.store.brand.name}")
    onboarding.state = "passed_qa"
    onboarding.qa_due_at = None
    onboarding.updated_at = now
    record_audit(
        session,
        organization_id=onboarding.organization_id,
        user_id=None,
        action="onboarding.qa_passed",
        detail={"onboarding_id": onboarding.id, "account_id": onboarding.account_id,
                "stores": passed},
    )  # fmt: skip
    session.flush()
    return True


def _after_sign_in(session: Session, onboarding: Onboarding, now: datetime) -> bool:
    if not onboarding.account_id:
        return False
    account = session.get(ProviderAccount, onboarding.account_id)
    pairing = session.scalars(
        select(PairingSession)
        .where(PairingSession.account_id == onboarding.account_id)
        .order_by(PairingSession.created_at.desc(), PairingSession.id)
        .limit(1)
    ).first()
    if account is None or pairing is None or pairing.state != "succeeded":
        return False
    credential = session.get(ProviderCredential, account.id)
    if credential is not None:
        account.login = credential.login
    location = session.get(Location, onboarding.location_id)
    assert location is not None  # a foreign key
    free = candidate_store_ids(session, onboarding)
    listed = list_stores(onboarding.provider_key, account.login, location)
    onboarding.provider_stores = [entry for entry in listed if entry["store_id"] in free]
    onboarding.pairing_id = pairing.id
    onboarding.state = "choose_brand"
    onboarding.updated_at = now
    record_audit(
        session,
        organization_id=onboarding.organization_id,
        user_id=onboarding.user_id,
        action="onboarding.signed_in",
        detail={
            "onboarding_id": onboarding.id,
            "account_id": account.id,
            "stores": [entry["ref"] for entry in onboarding.provider_stores],
        },
    )
    session.flush()
    return True
