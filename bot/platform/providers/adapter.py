"""The provider adapter port: what the platform asks of a delivery provider when pairing.

A pairing runs as a small state machine the seeds describe: credentials → (optional
2FA/MFA code) → authorized → connection check. Each provider gets an adapter that
implements :class:`ProviderAdapter`; the product ships the sandbox adapter
(:mod:`bot.platform.providers.sandbox`), which simulates every catalog provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

PairingOutcome = Literal[
    "authorized", "needs_code", "invalid_credentials", "code_rejected", "provider_error"
]
"""What the provider answered to a sign-in or to a code."""

CheckPurpose = Literal["pairing", "check"]
"""Why the connection is checked: right after a pairing, or after portal steps were done."""


@dataclass(frozen=True)
class AccountRef:
    """The provider account an adapter works on, as the provider knows it.

    Attributes:
        id: The platform's account id (e.g. ``"ue-main"``).
        provider_key: The catalog key of the provider (e.g. ``"uber_eats"``).
        login: The login the provider knows the account by.
        asks_2fa: Whether the provider asks for a 2FA/MFA code when signing in.
        error_type: The account's current error type, if any (the first disconnected link's).
        error_case: The account's current store-configuration case, if any.
    """

    id: str
    provider_key: str
    login: str
    asks_2fa: bool
    error_type: str | None = None
    error_case: str | None = None


@dataclass(frozen=True)
class PairingStep:
    """The provider's answer to one pairing step."""

    outcome: PairingOutcome


@dataclass(frozen=True)
class ConnectionCheck:
    """The provider's view of the account's connection (both ``None``: connected)."""

    error_type: str | None = None
    error_case: str | None = None

    @property
    def connected(self) -> bool:
        """Whether the provider reports no error."""
        return self.error_type is None


@dataclass(frozen=True)
class ActionOutcome:
    """The provider's answer to a side effect (activate, cancel, export a menu).

    Attributes:
        ok: Whether the provider did it.
        error: Why not, as a short code: ``provider_error``, ``activation_failed``,
            ``order_not_cancellable``, ``missing_menu_hours``, ``empty_menu``,
            ``menu_import_failed``, ``onboarding_error``.
    """

    ok: bool
    error: str | None = None


class ProviderAdapter(Protocol):
    """One delivery provider, as the platform uses it.

    Side-effect methods take an ``idempotency_key``: a provider that receives the same key
    twice does the thing once and answers the same. Call them before changing any row of
    the caller's transaction (a provider is outside it).
    """

    def sign_in(self, account: AccountRef, login: str, password: str) -> PairingStep:
        """Sign in to the provider with the merchant's login and password.

        Returns:
            ``authorized``, ``needs_code`` (the provider sent a 2FA/MFA code),
            ``invalid_credentials`` or ``provider_error``.
        """
        ...

    def submit_code(self, account: AccountRef, code: str) -> PairingStep:
        """Hand the provider the 2FA/MFA code it sent (after ``needs_code``).

        Returns:
            ``authorized``, ``code_rejected`` or ``provider_error``.
        """
        ...

    def check_connection(self, account: AccountRef, purpose: CheckPurpose) -> ConnectionCheck:
        """Ask the provider whether the integration can use the account now."""
        ...

    def activate_store(
        self, account: AccountRef, store_link_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """Make us the primary order manager of the account's store (link) at the provider."""
        ...

    def cancel_order(
        self, provider_key: str, order_ref: str, reason: str, idempotency_key: str
    ) -> ActionOutcome:
        """Cancel a live order at the provider, with one of its cancellation reasons."""
        ...

    def export_menu(
        self, account: AccountRef, store_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """Send the store's menu to the provider (onboarding, "Retry menu export")."""
        ...
