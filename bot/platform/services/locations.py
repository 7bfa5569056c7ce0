"""Looking up an organization's locations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import Location


def find_location(session: Session, organization_id: int, name: str) -> Location | None:
    """The organization's location called ``name`` (case and spaces ignored), if any.

    Only the given organization's locations are searched, so another organization's
    location names are never confirmed.
    """
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    locations = session.scalars(
        select(Location).where(Location.organization_id == organization_id)
    ).all()
    return next((loc for loc in locations if " ".join(loc.name.split()).casefold() == wanted), None)


def location_names(session: Session, organization_id: int) -> list[str]:
    """The names of the organization's locations, sorted."""
    statement = (
        select(Location.name)
        .where(Location.organization_id == organization_id)
        .order_by(Location.name)
    )
    return list(session.scalars(statement).all())
