"""The provider deadline around an adapter: a provider that answers in time is passed
through; one that does not is "not responding" for every kind of call."""

from __future__ import annotations

import threading

import pytest

from bot.platform.providers.adapter import (
    AccountRef,
    ActionOutcome,
    CheckPurpose,
    ConnectionCheck,
    PairingStep,
)
from bot.platform.providers.deadline import DeadlineAdapter, ProviderNotResponding

ACCOUNT = AccountRef("ue-main", "uber_eats", "owner@demo", asks_2fa=True)


class Provider:
    """A stand-in delivery provider that answers at once, or never until released."""

    def __init__(self, hangs: bool) -> None:
        self.hangs = hangs
        self.release = threading.Event()

    def _answer(self) -> None:
        if self.hangs:
            self.release.wait(10)

    def sign_in(self, account: AccountRef, login: str, password: str) -> PairingStep:
        self._answer()
        return PairingStep("needs_code")

    def submit_code(self, account: AccountRef, code: str) -> PairingStep:
        self._answer()
        return PairingStep("authorized")

    def check_connection(self, account: AccountRef, purpose: CheckPurpose) -> ConnectionCheck:
        self._answer()
        return ConnectionCheck("invalid_credentials")

    def activate_store(self, account: AccountRef, link: int, key: str) -> ActionOutcome:
        self._answer()
        return ActionOutcome(True)

    def cancel_order(self, provider: str, ref: str, reason: str, key: str) -> ActionOutcome:
        self._answer()
        return ActionOutcome(False, "order_not_cancellable")

    def export_menu(self, account: AccountRef, store_id: int, key: str) -> ActionOutcome:
        self._answer()
        return ActionOutcome(True)


def test_answers_in_time_are_passed_through() -> None:
    adapter = DeadlineAdapter(Provider(hangs=False), seconds=5)
    assert adapter.sign_in(ACCOUNT, "a", "b") == PairingStep("needs_code")
    assert adapter.submit_code(ACCOUNT, "1") == PairingStep("authorized")
    assert adapter.check_connection(ACCOUNT, "check") == ConnectionCheck("invalid_credentials")
    assert adapter.activate_store(ACCOUNT, 1, "k1") == ActionOutcome(True)
    assert adapter.cancel_order("uber_eats", "UE-1", "other", "k2") == ActionOutcome(
        False, "order_not_cancellable"
    )
    assert adapter.export_menu(ACCOUNT, 1, "k3") == ActionOutcome(True)


def test_a_provider_that_does_not_answer_is_not_responding() -> None:
    provider = Provider(hangs=True)
    adapter = DeadlineAdapter(provider, seconds=0.2)
    try:
        assert adapter.sign_in(ACCOUNT, "a", "b") == PairingStep("provider_error")
        assert adapter.submit_code(ACCOUNT, "1") == PairingStep("provider_error")
        with pytest.raises(ProviderNotResponding) as raised:
            adapter.check_connection(ACCOUNT, "check")
        assert (raised.value.code, raised.value.value) == ("provider_not_responding", "uber_eats")
        late = ActionOutcome(False, "provider_not_responding")
        assert adapter.activate_store(ACCOUNT, 1, "k1") == late
        assert adapter.cancel_order("uber_eats", "UE-1", "other", "k2") == late
        assert adapter.export_menu(ACCOUNT, 1, "k3") == late
    finally:
        provider.release.set()
