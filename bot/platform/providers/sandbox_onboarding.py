"""SANDBOX ONLY: what a provider does while a new account is onboarded.

A real provider, once the merchant has signed in, lists the stores of that login with
their provider store ids, and later runs its QA on the stores being onboarded and their
menus. The sandbox simulates both, deterministically:

* the login's stores are the onboarding location's stores (one per brand there), with a
  store id made from the provider and our store id (``DOORDASH-000004``); they are
  active unless the login's local part ends with ``+inactive``
  (``owner+inactive@example.test``), which makes every listed store inactive;
* the QA passes every store whose menu export succeeded, ``qa_seconds`` after the
  stores were chosen (``ONBOARDING_QA_SECONDS``; or at once through
  ``POST /internal/sandbox/onboardings/{id}/qa``);
* a sign-in code is asked for the providers whose demo accounts ask one (DoorDash, Glovo).
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.platform.models import Location

ASKS_CODE: frozenset[str] = frozenset({"doordash", "glovo"})
"""Providers whose sandbox sign-in asks for a 2FA code."""

DEFAULT_QA_SECONDS = 8.0
INACTIVE_SUFFIX = "+inactive"


def asks_code(provider_key: str) -> bool:
    """Whether the sandbox asks a 2FA code when signing in to ``provider_key``."""
    return provider_key in ASKS_CODE


def qa_seconds(settings: Settings) -> float:
    """How long the sandbox provider's QA takes (``ONBOARDING_QA_SECONDS``; 0: no timer)."""
    return settings.onboarding_qa_seconds


def list_stores(provider_key: str, login: str, location: Location) -> list[dict[str, Any]]:
    """The stores the provider lists for ``login`` at ``location``, with their ids.

    Returns:
        ``[{"ref", "location", "brand", "store_id", "active"}]`` sorted by brand
        (``store_id``: ours, ``ref``: the provider's store id).
    """
    local = login.split("@", 1)[0].strip().lower()
    active = not local.endswith(INACTIVE_SUFFIX)
    prefix = provider_key.upper().replace("_", "")[:10]
    stores = sorted(location.stores, key=lambda store: store.brand.name.casefold())
    return [
        {
            "ref": f"{prefix}-{store.id:06d}",
            "location": location.name,
            "brand": store.brand.name,
            "store_id": store.id,
            "active": active,
        }
        for store in stores
    ]
