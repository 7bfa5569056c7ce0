"""Errors services raise for bad input; the API turns each into a 4xx with its ``code``."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """A request the platform refuses, with a stable machine-readable ``code``."""

    code = "error"

    def __init__(self, value: str | None = None, valid: list[str] | None = None) -> None:
        super().__init__(f"{self.code}: {value!r}")
        self.value = value
        self.valid = list(valid or [])  # what the caller could have said instead


class UnknownProvider(ServiceError):
    """No provider of the catalog has that name or alias."""

    code = "unknown_provider"


class UnknownLocation(ServiceError):
    """The caller's organization has no location of that name."""

    code = "unknown_location"


class Forbidden(ServiceError):
    """The account (or pairing) is not the caller's to see: outside their organization,
    someone else's, or unknown — one answer for all, so ids are never confirmed."""

    code = "forbidden"


class NotAllowed(ServiceError):
    """The caller may not manage integrations; ``who_can`` names those who may."""

    code = "not_allowed"

    def __init__(self, who_can: list[str]) -> None:
        super().__init__()
        self.who_can = list(who_can)


class NotBroken(ServiceError):
    """The account has no disconnected store: there is nothing to reconnect."""

    code = "not_broken"


class PortalSteps(ServiceError):
    """The account's only errors are store-configuration ones: the portal steps come first."""

    code = "portal_steps"


class NotPortalSteps(ServiceError):
    """The account has no store-configuration error to check."""

    code = "not_portal_steps"


class PairingLocked(ServiceError):
    """Too many wrong codes: the account's pairing is locked until ``locked_until``."""

    code = "locked"

    def __init__(self, locked_until: datetime) -> None:
        super().__init__()
        self.locked_until = locked_until


class NoPairing(ServiceError):
    """The conversation has no pairing."""

    code = "no_pairing"


class NoPendingCode(ServiceError):
    """The conversation has no pairing waiting for a code."""

    code = "no_pending_code"
