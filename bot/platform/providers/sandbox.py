"""The SANDBOX provider adapter: a deterministic stand-in for every catalog provider.

It talks to no real provider. It exists for the demo and the tests, and behaves the way
``/work/shared/DEMO.md`` describes:

* any login; the password is ``demo-password`` unless one was set for the account;
* a 2FA/MFA code is asked when the account ``asks_2fa``; the code is ``246810`` unless
  one was set for the account;
* the connection check right after a pairing reports the next ``on: pairing`` injection,
  else "connected";
* the check after "I've completed these steps" reports the next ``on: check`` injection
  (``error_type: null`` there means "resolved"), else: an account whose case is
  ``non_traditional_login`` now reports ``invalid_credentials`` (the user must reconnect
  with the new e-mail and password), any other is resolved.

Its state lives in the ``sandbox_accounts`` table (set through
``PUT /internal/sandbox/accounts/{id}``): passwords and codes only as HMAC digests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.platform.models import ERROR_TYPES, SandboxAccount
from bot.platform.providers.adapter import (
    AccountRef,
    CheckPurpose,
    ConnectionCheck,
    PairingStep,
)
from bot.platform.providers.deadline import ProviderNotResponding
from bot.platform.providers.sandbox_actions import SandboxActions
from bot.platform.secrets_box import SecretsBox

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the sandbox's documented demo password
DEMO_CODE = "246810"
INJECTION_POINTS: tuple[str, ...] = ("pairing", "check")
STORE_CONFIGURATION = "invalid_store_configuration"


class SandboxAdapter(SandboxActions):
    """The sandbox implementation of :class:`~bot.platform.providers.adapter.ProviderAdapter`."""

    def __init__(self, session: Session, box: SecretsBox, hang_seconds: float = 30.0) -> None:
        """Build the adapter.

        Args:
            session: The caller's session (the sandbox's state changes in its transaction).
            box: The credentials box (HMAC of passwords and codes).
            hang_seconds: How long a call with a queued ``hang`` fault keeps waiting.
        """
        self._session = session
        self._box = box
        self._hang_seconds = hang_seconds

    def sign_in(self, account: AccountRef, login: str, password: str) -> PairingStep:
        """Accept any login with the account's sandbox password."""
        state = self._session.get(SandboxAccount, account.id)
        expected = state.password_hash if state and state.password_hash else None
        if not self._box.matches(password, expected or self._box.mac(DEMO_PASSWORD)):
            return PairingStep("invalid_credentials")
        return PairingStep("needs_code" if account.asks_2fa else "authorized")

    def submit_code(self, account: AccountRef, code: str) -> PairingStep:
        """Accept the account's sandbox code."""
        state = self._session.get(SandboxAccount, account.id)
        expected = state.code_hash if state and state.code_hash else None
        if not self._box.matches(code, expected or self._box.mac(DEMO_CODE)):
            return PairingStep("code_rejected")
        return PairingStep("authorized")

    def check_connection(self, account: AccountRef, purpose: CheckPurpose) -> ConnectionCheck:
        """The next injection for ``purpose``, else the sandbox's default answer (a queued
        ``check`` fault ``hang`` on the account: no answer at all)."""
        if purpose == "check" and self._hang_if_queued("check", account.id):
            raise ProviderNotResponding(account.provider_key)
        injection = self._pop_injection(account.id, purpose)
        if injection is not None:
            return _as_check(injection)
        if purpose == "check" and account.error_case == "non_traditional_login":
            return ConnectionCheck("invalid_credentials")
        return ConnectionCheck()

    def _pop_injection(self, account_id: str, purpose: str) -> dict[str, Any] | None:
        state = self._session.get(SandboxAccount, account_id)
        if state is None or not state.injections:
            return None
        queue = list(state.injections)
        for index, injection in enumerate(queue):
            if injection.get("on") == purpose:
                del queue[index]
                state.injections = queue  # a new list, so the JSON column is saved
                self._session.flush()
                return injection
        return None


def _as_check(injection: dict[str, Any]) -> ConnectionCheck:
    error_type = injection.get("error_type")
    if error_type is None:
        return ConnectionCheck()
    case = injection.get("error_case") if error_type == STORE_CONFIGURATION else None
    return ConnectionCheck(str(error_type), str(case) if case else None)


def validate_injection(injection: dict[str, Any]) -> dict[str, Any]:
    """An injection in its stored form; raises ``ValueError`` when it is not one.

    Args:
        injection: ``{"on": "pairing" | "check", "error_type": str | None,
            "error_case": str | None}``.
    """
    on = injection.get("on")
    if on not in INJECTION_POINTS:
        raise ValueError(f"on: one of {INJECTION_POINTS}")
    error_type = injection.get("error_type")
    if error_type is not None and error_type not in ERROR_TYPES:
        raise ValueError(f"error_type: null or one of {ERROR_TYPES}")
    error_case = injection.get("error_case")
    if error_case is not None and error_type != STORE_CONFIGURATION:
        raise ValueError(f"error_case: only with error_type {STORE_CONFIGURATION}")
    return {"on": on, "error_type": error_type, "error_case": error_case or None}


def configure_account(
    session: Session,
    box: SecretsBox,
    account_id: str,
    *,
    password: str | None = None,
    code: str | None = None,
    inject: list[dict[str, Any]] | None = None,
) -> SandboxAccount:
    """Set an account's sandbox password and/or code, and queue injections.

    Only HMAC digests of the password and the code are kept. Injections are appended
    to the account's queue. The caller commits.

    Raises:
        ValueError: An injection is malformed.
    """
    injections = [validate_injection(item) for item in inject or []]
    state = session.get(SandboxAccount, account_id)
    if state is None:
        state = SandboxAccount(account_id=account_id, injections=[])
        session.add(state)
    if password is not None:
        state.password_hash = box.mac(password)
    if code is not None:
        state.code_hash = box.mac(code)
    if injections:
        state.injections = [*(state.injections or []), *injections]
    session.flush()
    return state


def reset_account(session: Session, account_id: str) -> bool:
    """Forget an account's sandbox state (back to the demo defaults); the caller commits."""
    state = session.get(SandboxAccount, account_id)
    if state is None:
        return False
    session.delete(state)
    session.flush()
    return True
