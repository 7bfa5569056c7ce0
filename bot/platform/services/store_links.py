"""Finding an organization's store links, and the provider and location filters of a
question ("DoorDash", "at Airport") that the status and activation answers share."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from bot.platform.models import Location, ProviderAccount, Store, StoreLink
from bot.platform.providers.catalog import Catalog, ProviderInfo
from bot.platform.services.errors import UnknownLocation, UnknownProvider
from bot.platform.services.locations import find_location, location_names


def links_statement(
    organization_id: int, provider: ProviderInfo | None = None, location: Location | None = None
) -> Select[tuple[StoreLink]]:
    """The organization's store links (account, provider, store, location and brand loaded),
    of one provider and at one location when given.

    Both the account and the store's location must belong to the organization, so
    another organization's links are never returned.
    """
    statement = (
        select(StoreLink)
        .join(StoreLink.account)
        .join(StoreLink.store)
        .join(Store.location)
        .where(
            ProviderAccount.organization_id == organization_id,
            Location.organization_id == organization_id,
        )
        .options(
            joinedload(StoreLink.account).joinedload(ProviderAccount.provider),
            joinedload(StoreLink.store).joinedload(Store.location),
            joinedload(StoreLink.store).joinedload(Store.brand),
        )
    )
    if provider is not None:
        statement = statement.where(ProviderAccount.provider_key == provider.key)
    if location is not None:
        statement = statement.where(Store.location_id == location.id)
    return statement


def find_provider_filter(catalog: Catalog, provider: str | None) -> ProviderInfo | None:
    """The catalog provider ``provider`` names (``None`` when not given).

    Raises:
        UnknownProvider: No catalog provider has that name or alias (``valid``: the names).
    """
    if provider is None or not provider.strip():
        return None
    info = catalog.find_provider(provider)
    if info is None:
        raise UnknownProvider(provider, valid=[known.name for known in catalog.providers])
    return info


def find_location_filter(
    session: Session, organization_id: int, location: str | None
) -> Location | None:
    """The organization's location ``location`` names (``None`` when not given).

    Raises:
        UnknownLocation: The organization has no such location (``valid``: its names).
    """
    if location is None or not location.strip():
        return None
    found = find_location(session, organization_id, location)
    if found is None:
        raise UnknownLocation(location, valid=location_names(session, organization_id))
    return found
