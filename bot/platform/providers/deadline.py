"""A deadline on every provider call: a provider that does not answer in time is "not responding".

A provider's API can hang (a stuck connection, an overloaded partner). Nothing a
merchant waits on may hang with it: every call of a :class:`ProviderAdapter` runs in a
worker thread and the caller waits at most ``PROVIDER_TIMEOUT_SECONDS``. When the
provider has not answered by then:

* a side effect (activate, cancel, export a menu) answers ``provider_not_responding``
  and the caller changes nothing (the operation is recorded as failed; the user may try
  again with a new request, which the provider tells apart by its idempotency key);
* a sign-in or a 2FA code answers ``provider_error`` (the pairing fails cleanly);
* a connection check raises :class:`ProviderNotResponding` (the API answers 504).

The abandoned thread finishes on its own; an adapter must keep what it does in that
thread to itself (its own HTTP client, its own database session), never the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from bot.platform.providers.adapter import (
    AccountRef,
    ActionOutcome,
    CheckPurpose,
    ConnectionCheck,
    PairingStep,
    ProviderAdapter,
)
from bot.platform.services.errors import ServiceError
from bot.platform_client import PROVIDER_NOT_RESPONDING as NOT_RESPONDING

_CALLS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="provider-call")
_T = TypeVar("_T")


class ProviderNotResponding(ServiceError):
    """The provider did not answer a connection check in time (``value``: its key)."""

    code = NOT_RESPONDING


class _Late(Exception):
    """The call did not finish within the deadline."""


class DeadlineAdapter:
    """Any :class:`ProviderAdapter`, each call bounded by ``seconds``."""

    def __init__(self, inner: ProviderAdapter, seconds: float) -> None:
        """Wrap ``inner``.

        Args:
            inner: The adapter that talks to the provider.
            seconds: How long a caller waits for the provider's answer.
        """
        self._inner = inner
        self._seconds = seconds

    def _within(self, call: Callable[[], _T]) -> _T:
        future = _CALLS.submit(call)
        try:
            return future.result(timeout=self._seconds)
        except FutureTimeout:
            future.cancel()  # still queued (every worker busy): never runs
            raise _Late() from None

    def sign_in(self, account: AccountRef, login: str, password: str) -> PairingStep:
        """Sign in; ``provider_error`` when the provider does not answer in time."""
        try:
            return self._within(lambda: self._inner.sign_in(account, login, password))
        except _Late:
            return PairingStep("provider_error")

    def submit_code(self, account: AccountRef, code: str) -> PairingStep:
        """Hand over the 2FA code; ``provider_error`` when the provider does not answer."""
        try:
            return self._within(lambda: self._inner.submit_code(account, code))
        except _Late:
            return PairingStep("provider_error")

    def check_connection(self, account: AccountRef, purpose: CheckPurpose) -> ConnectionCheck:
        """The provider's view of the connection.

        Raises:
            ProviderNotResponding: No answer in time.
        """
        try:
            return self._within(lambda: self._inner.check_connection(account, purpose))
        except _Late:
            raise ProviderNotResponding(account.provider_key) from None

    def activate_store(
        self, account: AccountRef, store_link_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """Activate; ``provider_not_responding`` when the provider does not answer."""
        return self._effect(
            lambda: self._inner.activate_store(account, store_link_id, idempotency_key)
        )

    def cancel_order(
        self, provider_key: str, order_ref: str, reason: str, idempotency_key: str
    ) -> ActionOutcome:
        """Cancel; ``provider_not_responding`` when the provider does not answer."""
        return self._effect(
            lambda: self._inner.cancel_order(provider_key, order_ref, reason, idempotency_key)
        )

    def export_menu(
        self, account: AccountRef, store_id: int, idempotency_key: str
    ) -> ActionOutcome:
        """Export the menu; ``provider_not_responding`` when the provider does not answer."""
        return self._effect(lambda: self._inner.export_menu(account, store_id, idempotency_key))

    def _effect(self, call: Callable[[], ActionOutcome]) -> ActionOutcome:
        try:
            return self._within(call)
        except _Late:
            return ActionOutcome(False, NOT_RESPONDING)
