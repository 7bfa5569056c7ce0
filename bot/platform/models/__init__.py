"""SQLAlchemy 2.0 models of the platform; import them from here."""

from bot.platform.models.audit import AuditLog
from bot.platform.models.base import Base, UTCDateTime, utcnow
from bot.platform.models.integration import (
    ERROR_TYPES,
    LINK_STATES,
    Provider,
    ProviderAccount,
    StoreLink,
)
from bot.platform.models.organization import Brand, Location, Organization, Store, User

__all__ = [
    "ERROR_TYPES",
    "LINK_STATES",
    "AuditLog",
    "Base",
    "Brand",
    "Location",
    "Organization",
    "Provider",
    "ProviderAccount",
    "Store",
    "StoreLink",
    "User",
    "UTCDateTime",
    "utcnow",
]
