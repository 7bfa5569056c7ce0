"""The only way a store link changes between working and disconnected.

Repair checks, pairing, the sandbox's failure injection and ``make break`` all call
:func:`mark_disconnected` / :func:`mark_connected`. Going from working (``active`` or
``connected``) to ``disconnected`` opens an incident and queues its alerts in the
caller's transaction (:mod:`bot.platform.services.alert_queue`); coming back ends it.
The demo loader and the demo restore write link states directly and open no incident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings, get_settings
from bot.platform.models import (
    ERROR_TYPES,
    Brand,
    Incident,
    Location,
    Organization,
    ProviderAccount,
    Store,
    StoreLink,
    utcnow,
)
from bot.platform.providers.catalog import get_catalog
from bot.platform.services.alert_queue import end_incident, live_incident, open_incident

STORE_CONFIGURATION = "invalid_store_configuration"


class BreakRefused(Exception):
    """``make break`` input that changes nothing: ``code`` and the HTTP ``status``."""

    def __init__(self, code: str, status: int, value: str | None = None) -> None:
        super().__init__(f"{code}: {value!r}")
        self.code, self.status, self.value = code, status, value


def mark_disconnected(
    session: Session,
    link: StoreLink,
    error_type: str,
    error_case: str | None = None,
    now: datetime | None = None,
    *,
    settings: Settings | None = None,
) -> Incident | None:
    """Record that ``link`` is disconnected with ``error_type`` (not committed here).

    A working link opens an incident (``pending`` until ``now`` + damping) and queues its
    alerts. A link already disconnected only takes the new error (its ``since`` moves
    when the error changed); a repeated event opens nothing.

    Returns:
        The new incident, or ``None`` when the link was already disconnected.
    """
    now = now or utcnow()
    case = error_case if error_type == STORE_CONFIGURATION else None
    _lock(session, link)
    was_working = link.state != "disconnected"
    if (link.state, link.error_type, link.error_case) != ("disconnected", error_type, case):
        link.since = now
    link.state, link.error_type, link.error_case = "disconnected", error_type, case
    session.flush()
    if not was_working or live_incident(session, link.id) is not None:
        return None
    return open_incident(session, link, now, settings or get_settings())


def mark_connected(session: Session, link: StoreLink, now: datetime | None = None) -> None:
    """Record that ``link`` works: ``active`` when it was activated, else ``connected``.

    Its error is cleared and its state dates from ``now``. Its live incident ends: a flap
    (before ``alert_at``) cancels the alerts not sent yet; later it is resolved. Not
    committed here.
    """
    now = now or utcnow()
    _lock(session, link)
    link.state = "active" if link.activated else "connected"
    link.error_type = link.error_case = None
    link.since = now
    session.flush()
    incident = live_incident(session, link.id)
    if incident is not None:
        end_incident(session, incident, now)


def break_links(
    session: Session,
    settings: Settings,
    *,
    provider: str,
    location: str,
    error_type: str,
    brand: str | None = None,
    error_case: str | None = None,
    organization_id: int | None = None,
    now: datetime | None = None,
) -> list[Incident]:
    """SANDBOX: disconnect the working links of ``provider`` at ``location`` (/ ``brand``).

    Raises:
        BreakRefused: Unknown error type, provider, location or brand, no such link, or
            none of the links is working — nothing changed then.
    """
    if error_type not in ERROR_TYPES:
        raise BreakRefused("unknown_error_type", 422, error_type)
    if error_case and error_type != STORE_CONFIGURATION:
        raise BreakRefused("error_case_needs_store_configuration", 422, error_case)
    info = get_catalog().find_provider(provider)
    if info is None:
        raise BreakRefused("unknown_provider", 404, provider)
    locations = select(Location.id).where(func.lower(Location.name) == location.strip().lower())
    if organization_id is not None:
        locations = locations.where(Location.organization_id == organization_id)
    location_ids = list(session.scalars(locations))
    if not location_ids:
        raise BreakRefused("unknown_location", 404, location)
    stores = select(Store.id).where(Store.location_id.in_(location_ids))
    if brand:
        stores = stores.join(Brand, Brand.id == Store.brand_id).where(
            func.lower(Brand.name) == brand.strip().lower()
        )
        if session.scalar(stores.limit(1)) is None:
            raise BreakRefused("unknown_brand", 404, brand)
    links = session.scalars(
        select(StoreLink)
        .join(ProviderAccount, ProviderAccount.id == StoreLink.account_id)
        .where(ProviderAccount.provider_key == info.key, StoreLink.store_id.in_(stores))
        .order_by(StoreLink.id)
    ).all()
    if not links:
        raise BreakRefused("no_link", 404, info.name)
    working = [link for link in links if link.state != "disconnected"]
    if not working:
        raise BreakRefused("not_working", 409, info.name)
    now = now or utcnow()
    incidents = []
    for link in working:
        incident = mark_disconnected(session, link, error_type, error_case, now, settings=settings)
        if incident is not None:
            incidents.append(incident)
    return incidents


def _lock(session: Session, link: StoreLink) -> None:
    """Serialize alert queueing per organization and re-read the link (PostgreSQL locks;
    SQLite allows one writer anyway)."""
    organization_id = session.scalar(
        select(ProviderAccount.organization_id).where(ProviderAccount.id == link.account_id)
    )
    session.execute(
        select(Organization.id).where(Organization.id == organization_id).with_for_update()
    )
    session.refresh(link, with_for_update=True)
