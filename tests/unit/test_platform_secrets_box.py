"""The credentials box: Fernet encryption, keyed digests, token digests."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.platform.secrets_box import CredentialsKeyMissing, SecretsBox, new_token, sha256_hex
from bot.secrets import new_secret

KEY = "dGVzdC1jcmVkZW50aWFscy1rZXktMzItYnl0ZXMhISE="


def test_round_trip_and_ciphertext_differs():
    box = SecretsBox(SecretStr(KEY))
    token = box.encrypt("démo-pässword")
    assert "démo" not in token and token != box.encrypt("démo-pässword")  # random IV
    assert box.decrypt(token) == "démo-pässword"


def test_another_key_cannot_decrypt():
    token = SecretsBox(KEY).encrypt("x")
    with pytest.raises(ValueError):
        SecretsBox(new_secret("CREDENTIALS_KEY")).decrypt(token)


@pytest.mark.parametrize("key", ["", "not-a-fernet-key"])
def test_missing_or_bad_key(key):
    with pytest.raises(CredentialsKeyMissing):
        SecretsBox(key)


def test_mac_is_keyed_and_constant():
    box, other = SecretsBox(KEY), SecretsBox(new_secret("CREDENTIALS_KEY"))
    assert box.mac("246810") == box.mac("246810") != other.mac("246810")
    assert len(box.mac("246810")) == 64 and "246810" not in box.mac("246810")
    assert box.matches("246810", box.mac("246810")) and not box.matches("246811", box.mac("246810"))


def test_tokens():
    first, second = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert sha256_hex(first) != first and len(sha256_hex(first)) == 64
