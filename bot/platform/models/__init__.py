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
from bot.platform.models.repair import (
    PAIRING_OUTCOMES,
    PAIRING_STATES,
    PairingCodeFailure,
    PairingSession,
    ProviderCredential,
    RepairRequest,
    SandboxAccount,
)

__all__ = [
    "ERROR_TYPES",
    "LINK_STATES",
    "PAIRING_OUTCOMES",
    "PAIRING_STATES",
    "AuditLog",
    "Base",
    "Brand",
    "Location",
    "Organization",
    "PairingCodeFailure",
    "PairingSession",
    "Provider",
    "ProviderAccount",
    "ProviderCredential",
    "RepairRequest",
    "SandboxAccount",
    "Store",
    "StoreLink",
    "User",
    "UTCDateTime",
    "utcnow",
]
