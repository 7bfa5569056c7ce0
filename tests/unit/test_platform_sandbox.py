"""The sandbox provider adapter and its database-backed state."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.platform.models import SandboxAccount
from bot.platform.providers.adapter import AccountRef, ConnectionCheck, ProviderAdapter
from bot.platform.providers.registry import adapter_for
from bot.platform.providers.sandbox import (
    SandboxAdapter,
    configure_account,
    reset_account,
    validate_injection,
)
from bot.platform.secrets_box import SecretsBox

KEY = "dGVzdC1jcmVkZW50aWFscy1rZXktMzItYnl0ZXMhISE="
UE = AccountRef("ue-main", "uber_eats", "ubereats@demo-kitchen.test", asks_2fa=False)
DD = AccountRef("dd-main", "doordash", "doordash@demo-kitchen.test", asks_2fa=True)
UE_RIVER = AccountRef(
    "ue-river",
    "uber_eats",
    "ubereats-riverside@demo-kitchen.test",
    asks_2fa=False,
    error_type="invalid_store_configuration",
    error_case="non_traditional_login",
)
DR = AccountRef(
    "dr-river",
    "deliveroo",
    "deliveroo@demo-kitchen.test",
    asks_2fa=False,
    error_type="invalid_store_configuration",
    error_case="inactive_restaurant",
)


@pytest.fixture
def box() -> SecretsBox:
    return SecretsBox(KEY)


@pytest.fixture
def sandbox(demo_session, box) -> SandboxAdapter:
    return SandboxAdapter(demo_session, box)


def test_the_registry_serves_the_sandbox_within_the_deadline(demo_session):
    settings = Settings(_env_file=None, credentials_key=KEY)
    adapter: ProviderAdapter = adapter_for(demo_session, settings, "uber_eats")
    assert adapter.sign_in(UE, "anyone@example.test", "demo-password").outcome == "authorized"
    assert adapter.sign_in(UE, UE.login, "wrong").outcome == "invalid_credentials"


def test_demo_password_any_login(sandbox):
    assert sandbox.sign_in(UE, "anyone@example.test", "demo-password").outcome == "authorized"
    assert sandbox.sign_in(UE, UE.login, "Demo-Password").outcome == "invalid_credentials"
    assert sandbox.sign_in(UE, UE.login, "").outcome == "invalid_credentials"
    assert sandbox.sign_in(DD, DD.login, "demo-password").outcome == "needs_code"


def test_demo_code(sandbox):
    assert sandbox.submit_code(DD, "246810").outcome == "authorized"
    assert sandbox.submit_code(DD, "246811").outcome == "code_rejected"


def test_a_test_chooses_the_password_and_the_code(demo_session, sandbox, box):
    configure_account(demo_session, box, "dd-main", password="s3cret", code="1357")
    assert sandbox.sign_in(DD, DD.login, "demo-password").outcome == "invalid_credentials"
    assert sandbox.sign_in(DD, DD.login, "s3cret").outcome == "needs_code"
    assert sandbox.submit_code(DD, "246810").outcome == "code_rejected"
    assert sandbox.submit_code(DD, "1357").outcome == "authorized"
    row = demo_session.get(SandboxAccount, "dd-main")
    assert row.password_hash == box.mac("s3cret") and row.code_hash == box.mac("1357")
    assert "s3cret" not in repr(vars(row))
    # Another account keeps the defaults.
    assert sandbox.sign_in(UE, UE.login, "demo-password").outcome == "authorized"
    assert reset_account(demo_session, "dd-main") is True
    assert reset_account(demo_session, "dd-main") is False
    assert sandbox.sign_in(DD, DD.login, "demo-password").outcome == "needs_code"


def test_default_checks(sandbox):
    assert sandbox.check_connection(UE, "pairing") == ConnectionCheck()
    assert sandbox.check_connection(DR, "check").connected
    assert sandbox.check_connection(UE_RIVER, "check") == ConnectionCheck("invalid_credentials")
    assert sandbox.check_connection(UE_RIVER, "pairing").connected


def test_injections_are_consumed_first_in_first_out_per_point(demo_session, sandbox, box):
    configure_account(
        demo_session,
        box,
        "dr-river",
        inject=[
            {"on": "check", "error_type": "invalid_store_configuration", "error_case": "a"},
            {"on": "pairing", "error_type": "mfa_required"},
            {"on": "check", "error_type": None},
            {"on": "check", "error_type": "invalid_store_configuration", "error_case": "b"},
        ],
    )
    configure_account(demo_session, box, "dr-river", inject=[{"on": "pairing"}])
    assert sandbox.check_connection(DR, "check") == ConnectionCheck(
        "invalid_store_configuration", "a"
    )
    assert sandbox.check_connection(DR, "pairing") == ConnectionCheck("mfa_required")
    assert sandbox.check_connection(DR, "check").connected  # error_type null: resolved
    assert sandbox.check_connection(DR, "check") == ConnectionCheck(
        "invalid_store_configuration", "b"
    )
    assert sandbox.check_connection(DR, "pairing").connected
    assert demo_session.get(SandboxAccount, "dr-river").injections == []
    assert sandbox.check_connection(DR, "check").connected  # the default again


@pytest.mark.parametrize(
    "bad",
    [
        {"on": "later", "error_type": None},
        {"on": "check", "error_type": "broken"},
        {"on": "check", "error_type": "invalid_credentials", "error_case": "x"},
    ],
)
def test_malformed_injections(bad):
    with pytest.raises(ValueError):
        validate_injection(bad)


def test_injection_normal_form():
    assert validate_injection({"on": "check"}) == {
        "on": "check",
        "error_type": None,
        "error_case": None,
    }
