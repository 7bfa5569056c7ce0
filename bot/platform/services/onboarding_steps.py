"""The onboarding's steps the merchant confirms: the sign-in link, the brand, the stores.

* ``send_link`` (one-time button "Send me the sign-in link"): creates the NEW provider
  account the onboarding connects (once; a label like "DoorDash — Airport") and a
  one-time pairing link for it — the repair's pairing page and machinery. Pressing it
  again (a new link after a wrong password) supersedes the earlier link, as in repair.
* ``choose_brand`` (``merge``: the provider's stores join our existing brands at the
  location; ``new``: a new brand per store, "<brand> (<provider>)", with a copy of the
  menu), once per onboarding.
* ``choose_stores`` (one-time button): runs once (``run_once`` kind
  ``onboarding.stores``, key: the onboarding's id); exports each chosen store's menu,
  creates the store links (connected, not passed QA, not activated) and waits for the
  provider's QA — or raises the menu export's alert.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.identity import Identity
from bot.platform.models import (
    Brand,
    Location,
    Menu,
    MenuHours,
    MenuItem,
    ProviderAccount,
    Store,
    StoreLink,
    User,
    utcnow,
)
from bot.platform.models.onboarding import BRAND_MODES, Onboarding
from bot.platform.providers.sandbox_onboarding import asks_code
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import ServiceError
from bot.platform.services.menu_export import apply_exports, export_menus, lock_at_step
from bot.platform.services.onboarding import WrongStep
from bot.platform.services.onboarding_progress import refresh
from bot.platform.services.onboarding_views import load_onboarding, provider_display
from bot.platform.services.operations import OperationFailed, OperationResult, run_once
from bot.platform.services.pairing import StartedPairing, open_pairing
from bot.platform.services.repair_accounts import require_manager

STORES_KIND = "onboarding.stores"
ALL_STORES = "all"


class BadChoice(ServiceError):
    """A brand mode or a store the onboarding does not offer."""

    code = "bad_choice"


def send_link(
    session: Session,
    settings: Settings,
    user: User,
    identity: Identity | None,
    onboarding_id: str,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> StartedPairing:
    """Create the onboarding's account (once) and a one-time pairing link for it.

    Raises:
        Forbidden: Unknown onboarding, or another organization's.
        NotAllowed: The caller may not manage integrations.
        WrongStep: The merchant has already signed in.
    """
    now = now or utcnow()
    onboarding = load_onboarding(session, user, onboarding_id, for_update=True)
    require_manager(session, user)
    refresh(session, onboarding, now)
    if onboarding.state not in ("ready", "pairing"):
        raise WrongStep(onboarding.state)
    account = session.get(ProviderAccount, onboarding.account_id or "")
    if account is None:
        account = _new_account(session, onboarding)
    onboarding.state = "pairing"
    onboarding.updated_at = now
    started = open_pairing(
        session, settings, user, identity, account, lang or onboarding.language, now=now,
        action="onboarding.start", onboarding_id=onboarding.id,
    )  # fmt: skip
    onboarding.pairing_id = started.view.pairing_id
    session.commit()
    return started


def choose_brand(
    session: Session, user: User, onboarding_id: str, mode: str, *, now: datetime | None = None
) -> Onboarding:
    """Merge the provider's stores with our brands, or create a new brand for each.

    Raises:
        Forbidden, NotAllowed, WrongStep (not right after the sign-in), BadChoice.
    """
    now = now or utcnow()
    onboarding = load_onboarding(session, user, onboarding_id, for_update=True)
    require_manager(session, user)
    refresh(session, onboarding, now)
    if onboarding.state != "choose_brand":
        raise WrongStep(onboarding.state)
    if mode not in BRAND_MODES:
        raise BadChoice(mode, valid=list(BRAND_MODES))
    if mode == "new":
        _create_brands(session, onboarding)
    onboarding.brand_mode = mode
    onboarding.state = "choose_stores"
    onboarding.updated_at = now
    record_audit(
        session,
        organization_id=onboarding.organization_id,
        user_id=user.id,
        action="onboarding.brand",
        detail={"onboarding_id": onboarding.id, "brand_mode": mode, **onboarding.created},
    )
    session.commit()
    return onboarding


def choose_stores(
    session: Session,
    settings: Settings,
    user: User,
    onboarding_id: str,
    refs: list[str],
    *,
    now: datetime | None = None,
) -> OperationResult:
    """Connect the chosen stores (provider store ids, or ``all``), once per onboarding.

    Raises:
        Forbidden, NotAllowed.

    Returns:
        The operation's result ``{"state", "alert", "stores"}``; failed with
        ``{"error": "wrong_step" | "bad_choice", ...}``.
    """
    onboarding = load_onboarding(session, user, onboarding_id)
    require_manager(session, user)
    organization_id = onboarding.organization_id

    def effect(session: Session, idempotency_key: str) -> dict[str, Any]:
        found, account = lock_at_step(session, onboarding_id, "choose_stores")
        chosen = [
            entry
            for entry in found.provider_stores or []
            if entry.get("active") and (ALL_STORES in refs or entry["ref"] in refs)
        ]
        if not chosen:
            raise OperationFailed({"error": "bad_choice", "state": found.state})
        targets = [_target(found, entry) for entry in chosen]
        outcomes = export_menus(session, settings, account, targets, idempotency_key)
        moment = now or utcnow()
        links = [
            StoreLink(account_id=account.id, store_id=store_id, state="connected",
                      passed_qa=False, activated=False, since=moment)
            for store_id in targets
        ]  # fmt: skip
        session.add_all(links)
        session.flush()
        found.link_ids = [link.id for link in links]
        apply_exports(found, settings, outcomes, moment)
        stores = [f"{entry['location']} / {entry['brand']}" for entry in chosen]
        record_audit(
            session,
            organization_id=organization_id,
            user_id=user.id,
            action="onboarding.stores",
            detail={"onboarding_id": found.id, "account_id": account.id, "stores": stores,
                    "errors": {str(k): v for k, v in outcomes.items() if v}},
        )  # fmt: skip
        return {"state": found.state, "alert": found.alert, "stores": stores}

    return run_once(
        session,
        organization_id=organization_id,
        user_id=user.id,
        kind=STORES_KIND,
        key=onboarding_id,
        effect=effect,
    )


def _target(onboarding: Onboarding, entry: dict[str, Any]) -> int:
    """Our store a provider store is connected to (the new brand's store for ``new``)."""
    created = (onboarding.created or {}).get("stores") or {}
    return int(created.get(str(entry["store_id"]), entry["store_id"]))


def _new_account(session: Session, onboarding: Onboarding) -> ProviderAccount:
    provider = provider_display(onboarding.provider_key)
    location = session.get(Location, onboarding.location_id)
    assert location is not None
    taken = set(
        session.scalars(
            select(ProviderAccount.label).where(
                ProviderAccount.organization_id == onboarding.organization_id
            )
        )
    )
    label, number = f"{provider} — {location.name}", 2
    while label in taken:
        label, number = f"{provider} — {location.name} ({number})", number + 1
    account = ProviderAccount(
        id=f"{onboarding.provider_key.replace('_', '')[:12]}-{uuid.uuid4().hex[:8]}",
        organization_id=onboarding.organization_id,
        provider_key=onboarding.provider_key,
        label=label,
        login="",
        asks_2fa=asks_code(onboarding.provider_key),
    )
    session.add(account)
    session.flush()
    onboarding.account_id = account.id
    return account


def _create_brands(session: Session, onboarding: Onboarding) -> None:
    """A new brand "<brand> (<provider>)" and store for each listed store, menu copied."""
    provider = provider_display(onboarding.provider_key)
    statement = select(Brand.name).where(Brand.organization_id == onboarding.organization_id)
    taken = set(session.scalars(statement))
    brand_ids: list[int] = []
    stores: dict[str, int] = {}
    for entry in onboarding.provider_stores or []:
        name, number = f"{entry['brand']} ({provider})", 2
        while name in taken:
            name, number = f"{entry['brand']} ({provider} {number})", number + 1
        taken.add(name)
        brand = Brand(organization_id=onboarding.organization_id, name=name)
        session.add(brand)
        session.flush()
        store = Store(location_id=onboarding.location_id, brand_id=brand.id)
        session.add(store)
        session.flush()
        _copy_menu(session, int(entry["store_id"]), store.id)
        brand_ids.append(brand.id)
        stores[str(entry["store_id"])] = store.id
    onboarding.created = {"brand_ids": brand_ids, "stores": stores}


def _copy_menu(session: Session, source_store_id: int, store_id: int) -> None:
    source = session.scalars(select(Menu).where(Menu.store_id == source_store_id)).first()
    if source is None:
        return
    menu = Menu(store_id=store_id)
    menu.items = [
        MenuItem(position=item.position, name=item.name, price_cents=item.price_cents)
        for item in source.items
    ]
    menu.hours = [
        MenuHours(day_of_week=row.day_of_week, opens_minute=row.opens_minute,
                  closes_minute=row.closes_minute)
        for row in source.hours
    ]  # fmt: skip
    session.add(menu)
    session.flush()
