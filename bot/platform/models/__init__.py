"""SQLAlchemy 2.0 models of the platform; import them from here."""

from bot.platform.models import onboarding as _onboarding  # noqa: F401 - registers its tables
from bot.platform.models import oto as _oto  # noqa: F401 - registers its tables
from bot.platform.models.alerts import (
    ALERT_CHANNELS,
    INCIDENT_STATES,
    LIVE_INCIDENT_STATES,
    OUTBOX_STATES,
    AlertItem,
    AlertOutbox,
    Incident,
    PosTicket,
)
from bot.platform.models.audit import AuditLog
from bot.platform.models.base import Base, UTCDateTime, utcnow
from bot.platform.models.channels import (
    CHANNELS,
    ChannelReceipt,
    SmsOptOut,
    TelegramLink,
    TelegramLinkCode,
)
from bot.platform.models.conversations import Conversation
from bot.platform.models.dispatch import (
    DISPATCH_PROVIDERS,
    KITCHEN_STATUSES,
    ORDER_TYPES,
    DispatchBranch,
    DispatchIntegration,
    DispatchOrder,
)
from bot.platform.models.handoff import (
    HANDOFF_CHANNELS,
    HANDOFF_REASONS,
    HANDOFF_STATES,
    MESSAGE_SENDERS,
    OPEN_HANDOFF_STATES,
    Agent,
    Handoff,
    HandoffMessage,
)
from bot.platform.models.integration import (
    ERROR_TYPES,
    LINK_STATES,
    Provider,
    ProviderAccount,
    StoreLink,
)
from bot.platform.models.menus import Menu, MenuHours, MenuItem
from bot.platform.models.operations import OPERATION_STATES, Operation
from bot.platform.models.orders import FINAL_STATUSES, ORDER_STATUSES, LiveOrder
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
from bot.platform.models.sandbox import SANDBOX_METHODS, SandboxCall, SandboxFault

__all__ = [
    "HANDOFF_CHANNELS",
    "HANDOFF_REASONS",
    "HANDOFF_STATES",
    "MESSAGE_SENDERS",
    "OPEN_HANDOFF_STATES",
    "Agent",
    "Handoff",
    "HandoffMessage",
    "ALERT_CHANNELS",
    "INCIDENT_STATES",
    "LIVE_INCIDENT_STATES",
    "OUTBOX_STATES",
    "AlertItem",
    "AlertOutbox",
    "Incident",
    "PosTicket",
    "CHANNELS",
    "DISPATCH_PROVIDERS",
    "ERROR_TYPES",
    "FINAL_STATUSES",
    "KITCHEN_STATUSES",
    "LINK_STATES",
    "OPERATION_STATES",
    "ORDER_STATUSES",
    "ORDER_TYPES",
    "PAIRING_OUTCOMES",
    "PAIRING_STATES",
    "AuditLog",
    "Base",
    "Brand",
    "ChannelReceipt",
    "Conversation",
    "DispatchBranch",
    "DispatchIntegration",
    "DispatchOrder",
    "LiveOrder",
    "Operation",
    "Location",
    "Menu",
    "MenuHours",
    "MenuItem",
    "Organization",
    "PairingCodeFailure",
    "PairingSession",
    "Provider",
    "ProviderAccount",
    "ProviderCredential",
    "RepairRequest",
    "SANDBOX_METHODS",
    "SandboxAccount",
    "SandboxCall",
    "SandboxFault",
    "SmsOptOut",
    "Store",
    "StoreLink",
    "TelegramLink",
    "TelegramLinkCode",
    "User",
    "UTCDateTime",
    "utcnow",
]
