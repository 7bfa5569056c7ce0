"""Keep the ``providers`` table in step with the provider catalog file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.platform.models import Provider
from bot.platform.providers.catalog import Catalog, get_catalog


def sync_providers(session: Session, catalog: Catalog | None = None) -> int:
    """Insert or update one ``providers`` row per catalog provider (idempotent).

    Rows of providers that left the catalog are kept: accounts may still point at them.
    The caller commits.

    Args:
        session: An open session.
        catalog: The catalog to mirror; the product's catalog by default.

    Returns:
        How many rows were inserted or changed.
    """
    catalog = catalog or get_catalog()
    changed = 0
    for info in catalog.providers:
        wanted = {
            "name": info.name,
            "aliases": list(info.aliases),
            "self_repair": info.self_repair,
            "cancel_via_us": info.cancel_via_us,
        }
        row = session.get(Provider, info.key)
        if row is None:
            session.add(Provider(key=info.key, **wanted))
            changed += 1
        elif any(getattr(row, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(row, name, value)
            changed += 1
    session.flush()
    return changed
