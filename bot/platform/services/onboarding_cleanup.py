"""Removing what onboardings created, when the demo is restored.

An onboarding creates a provider account (with its pairings, stored credentials and
sandbox state), store links, and for a new brand: brands, stores and menu copies.
:func:`forget_onboardings` deletes all of it and the ``onboardings`` rows, so
``restore_demo_state`` gives back DEMO.md exactly. It may run before or after the
restore empties the repair tables (it deletes the rows of its own accounts itself).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.platform.models import (
    Brand,
    Menu,
    MenuHours,
    MenuItem,
    PairingCodeFailure,
    PairingSession,
    ProviderAccount,
    ProviderCredential,
    RepairRequest,
    SandboxAccount,
    Store,
    StoreLink,
)
from bot.platform.models.onboarding import Onboarding


def forget_onboardings(session: Session) -> int:
    """Delete every onboarding and what it created (not committed here).

    Returns:
        How many onboardings there were.
    """
    onboardings = list(session.scalars(select(Onboarding)))
    accounts = [row.account_id for row in onboardings if row.account_id]
    brand_ids = [bid for row in onboardings for bid in (row.created or {}).get("brand_ids", [])]
    created = [row.created or {} for row in onboardings]
    store_ids = [int(sid) for made in created for sid in (made.get("stores") or {}).values()]
    session.execute(delete(Onboarding))
    if accounts:
        for model in (PairingCodeFailure, PairingSession, RepairRequest):
            session.execute(delete(model).where(model.account_id.in_(accounts)))
        for model in (ProviderCredential, SandboxAccount, StoreLink):
            session.execute(delete(model).where(model.account_id.in_(accounts)))
        session.execute(delete(ProviderAccount).where(ProviderAccount.id.in_(accounts)))
    if store_ids:
        menus = select(Menu.id).where(Menu.store_id.in_(store_ids))
        session.execute(delete(MenuItem).where(MenuItem.menu_id.in_(menus)))
        session.execute(delete(MenuHours).where(MenuHours.menu_id.in_(menus)))
        session.execute(delete(Menu).where(Menu.store_id.in_(store_ids)))
        session.execute(delete(StoreLink).where(StoreLink.store_id.in_(store_ids)))
        session.execute(delete(Store).where(Store.id.in_(store_ids)))
    if brand_ids:
        session.execute(delete(Brand).where(Brand.id.in_(brand_ids)))
    session.expire_all()
    return len(onboardings)
