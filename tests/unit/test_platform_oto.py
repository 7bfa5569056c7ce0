"""The sandbox OTO adapter (only DEMO.md's pair) and ISO 4217 currency codes (pycountry)."""

from __future__ import annotations

import pytest

from bot.platform.providers.oto_sandbox import OtoSandboxAdapter, oto_adapter
from bot.platform.services.oto_currency import InvalidCurrency, find_currency


@pytest.mark.parametrize(
    ("retailer_id", "token", "verdict"),
    [
        ("OTO-DEMO-1", "oto-demo-token", "valid"),
        ("OTO-DEMO-1", "oto-demo-token ", "invalid"),
        ("oto-demo-1", "oto-demo-token", "invalid"),
        ("OTO-DEMO-2", "oto-demo-token", "invalid"),
        ("OTO-DEMO-1", "", "invalid"),
        ("", "", "invalid"),
    ],
)
def test_the_sandbox_accepts_only_the_demo_pair(retailer_id, token, verdict) -> None:
    assert oto_adapter().verify_credentials(retailer_id, token).verdict == verdict


def test_the_sandbox_never_shows_its_secret() -> None:
    adapter = OtoSandboxAdapter()
    assert "oto-demo-token" not in repr(adapter) and "OTO-DEMO-1" not in repr(adapter)


@pytest.mark.parametrize(
    ("value", "lang", "code", "name"),
    [
        ("SAR", "en", "SAR", "Saudi Riyal"),
        (" sar ", "fr", "SAR", "Riyal saoudien"),
        ("aed", "es", "AED", "Dírham emiratí"),
        ("XOF", "en", "XOF", "CFA Franc BCEAO"),
        ("EUR", "de", "EUR", "Euro"),
    ],
)
def test_iso_4217_codes(value, lang, code, name) -> None:
    currency = find_currency(value, lang)
    assert (currency.code, currency.name) == (code, name)


@pytest.mark.parametrize(
    "value", ["", "SA", "SARS", "ABC", "OTO", "XXX", "XTS", "XAU", "S4R", None]
)
def test_anything_else_is_refused(value) -> None:
    with pytest.raises(InvalidCurrency):
        find_currency(value)
