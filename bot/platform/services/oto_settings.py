"""OTO settings by chat: what is set up, the currency, and branch activation.

Everyone in the organization may read the settings (never the token, never the retailer
ID); changing them needs ``may manage integrations``. A change is made once
(:func:`bot.platform.services.operations.run_once`) and audit-logged in the same
transaction: ``oto.currency`` (key: organization and the Confirm button's request id)
and ``oto.branch_activate`` (key: the branch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import DispatchBranch, DispatchIntegration, User, utcnow
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import UnknownLocation
from bot.platform.services.locations import find_location, location_names
from bot.platform.services.operations import OperationBusy, run_once
from bot.platform.services.oto_currency import InvalidCurrency, find_currency
from bot.platform.services.oto_errors import InvalidCurrencyCode, NotSetUp, OtoBusy
from bot.platform.services.repair_accounts import require_manager
from bot.platform.services.users import integration_managers

PROVIDER = "oto"


@dataclass(frozen=True)
class BranchView:
    """One location of the organization and whether OTO receives its orders."""

    location: str
    active: bool


@dataclass(frozen=True)
class OtoSettingsView:
    """The organization's OTO settings as the chat shows them (no secrets)."""

    set_up: bool  # a retailer ID and token OTO accepted are saved
    currency: str | None
    currency_name: str | None
    branches: list[BranchView]
    may_manage: bool
    who_can: list[str]


@dataclass(frozen=True)
class CurrencyChange:
    """The currency after a confirmed change."""

    currency: str
    name: str
    previous: str | None
    replayed: bool


@dataclass(frozen=True)
class BranchChange:
    """A branch after a confirmed activation (``already``: it was active before)."""

    location: str
    active: bool
    already: bool
    replayed: bool


def integration_of(session: Session, organization_id: int) -> DispatchIntegration | None:
    """The organization's OTO integration, if it has one."""
    return session.scalars(
        select(DispatchIntegration).where(
            DispatchIntegration.organization_id == organization_id,
            DispatchIntegration.provider == PROVIDER,
        )
    ).one_or_none()


def ensure_integration(session: Session, organization_id: int) -> DispatchIntegration:
    """The organization's OTO integration, created (not set up) when it has none."""
    integration = integration_of(session, organization_id)
    if integration is None:
        integration = DispatchIntegration(organization_id=organization_id, provider=PROVIDER)
        session.add(integration)
        session.flush()
    return integration


def oto_settings(session: Session, user: User, lang: str | None = None) -> OtoSettingsView:
    """The caller's organization's OTO settings: set up or not, currency, branches."""
    integration = integration_of(session, user.organization_id)
    active = _active_locations(integration)
    branches = [
        BranchView(location=name, active=name in active)
        for name in location_names(session, user.organization_id)
    ]
    currency = integration.currency if integration else None
    return OtoSettingsView(
        set_up=bool(integration and integration.has_credentials),
        currency=currency,
        currency_name=_currency_name(currency, lang),
        branches=branches,
        may_manage=user.can_manage_integrations,
        who_can=integration_managers(session, user.organization_id),
    )


def check_currency(value: str, lang: str | None = None) -> tuple[str, str]:
    """The ISO 4217 code and its name in ``lang``.

    Raises:
        InvalidCurrencyCode: ``value`` is not a code of a currency customers pay with.
    """
    try:
        currency = find_currency(value, lang)
    except InvalidCurrency:
        raise InvalidCurrencyCode(value) from None
    return currency.code, currency.name


def set_currency(
    session: Session, user: User, value: str, request_id: str, lang: str | None = None
) -> CurrencyChange:
    """Save the currency OTO collects on delivery (once per Confirm button).

    Raises:
        NotAllowed: The caller may not manage integrations (``who_can`` names who may).
        InvalidCurrencyCode: Not an ISO 4217 code of a currency customers pay with.
        OtoBusy: The same Confirm is still being handled by another request.
    """
    require_manager(session, user)
    code, name = check_currency(value, lang)
    org_id = user.organization_id

    def effect(session: Session, _key: str) -> dict[str, Any]:
        integration = ensure_integration(session, org_id)
        previous = integration.currency
        integration.currency, integration.updated_by = code, user.id
        integration.updated_at = utcnow()
        record_audit(
            session,
            organization_id=org_id,
            user_id=user.id,
            action="oto.currency",
            detail={"currency": code, "previous": previous, "request_id": request_id},
        )
        return {"currency": code, "previous": previous}

    result = _once(session, user, "oto.currency", f"{org_id}:{request_id[:100]}", effect)
    saved = str(result.result.get("currency") or code)
    return CurrencyChange(
        currency=saved,
        name=check_currency(saved, lang)[1],
        previous=result.result.get("previous"),
        replayed=result.replayed,
    )


def activate_branch(session: Session, user: User, location_name: str) -> BranchChange:
    """Mark a location Active for OTO, so its orders that qualify are sent to OTO.

    Raises:
        NotAllowed: The caller may not manage integrations (``who_can`` names who may).
        UnknownLocation: The organization has no such location (``valid``: its names).
        NotSetUp: No retailer ID and token are saved yet (the guide: branches come after).
        OtoBusy: The same activation is still being made by another request.
    """
    require_manager(session, user)
    org_id = user.organization_id
    location = find_location(session, org_id, location_name or "")
    if location is None:
        raise UnknownLocation(location_name, location_names(session, org_id))
    integration = integration_of(session, org_id)
    if integration is None or not integration.has_credentials:
        raise NotSetUp(location.name)
    branch = _branch(session, integration, location.id)
    if branch is None:
        branch = DispatchBranch(integration_id=integration.id, location_id=location.id)
        session.add(branch)
        session.commit()
    elif branch.active:
        return BranchChange(location.name, True, already=True, replayed=False)
    branch_id, name = branch.id, location.name

    def effect(session: Session, _key: str) -> dict[str, Any]:
        row = session.get(DispatchBranch, branch_id)
        assert row is not None
        row.active, row.updated_at = True, utcnow()
        record_audit(
            session,
            organization_id=org_id,
            user_id=user.id,
            action="oto.branch_activate",
            detail={"location": name},
        )
        return {"location": name, "active": True}

    result = _once(session, user, "oto.branch_activate", str(branch_id), effect)
    return BranchChange(name, True, already=False, replayed=result.replayed)


def _once(session: Session, user: User, kind: str, key: str, effect: Any) -> Any:
    try:
        return run_once(
            session,
            organization_id=user.organization_id,
            user_id=user.id,
            kind=kind,
            key=key,
            effect=effect,
            retry_failed=True,
        )
    except OperationBusy:
        raise OtoBusy(key) from None


def _branch(
    session: Session, integration: DispatchIntegration, location_id: int
) -> DispatchBranch | None:
    return session.scalars(
        select(DispatchBranch).where(
            DispatchBranch.integration_id == integration.id,
            DispatchBranch.location_id == location_id,
        )
    ).one_or_none()


def _currency_name(code: str | None, lang: str | None) -> str | None:
    """The saved currency's name, or ``None`` (none saved, or not one ISO 4217 lists)."""
    try:
        return find_currency(code, lang).name if code else None
    except InvalidCurrency:
        return None


def _active_locations(integration: DispatchIntegration | None) -> set[str]:
    if integration is None:
        return set()
    return {branch.location.name for branch in integration.branches if branch.active}
