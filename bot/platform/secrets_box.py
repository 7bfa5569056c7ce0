"""The platform's small crypto box: encrypt provider passwords, digest tokens and codes.

* Provider passwords are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the
  ``CREDENTIALS_KEY`` setting; the Fernet token is the only form a password is kept in.
* Pairing-link tokens and code-form nonces are stored as plain SHA-256 digests (they are
  long random values, so a digest is enough to find them and useless to an attacker).
* Sandbox passwords and codes are compared as HMAC-SHA256 digests keyed with the
  credentials key, so a short code never sits in the database as a guessable hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr


class CredentialsKeyMissing(RuntimeError):
    """``CREDENTIALS_KEY`` is not set (run ``python -m bot.secrets``) or is not a Fernet key."""


class SecretsBox:
    """Encryption and keyed digests with one credentials key."""

    def __init__(self, key: str | SecretStr) -> None:
        """Build the box.

        Args:
            key: The Fernet key (url-safe base64 of 32 bytes), e.g. ``settings.credentials_key``.

        Raises:
            CredentialsKeyMissing: The key is empty or malformed.
        """
        raw = key.get_secret_value() if isinstance(key, SecretStr) else key
        if not raw:
            raise CredentialsKeyMissing("CREDENTIALS_KEY is empty: run `python -m bot.secrets`")
        try:
            self._fernet = Fernet(raw.encode())
        except ValueError:
            raise CredentialsKeyMissing("CREDENTIALS_KEY is not a valid Fernet key") from None
        # A separate key for the digests, derived from the credentials key.
        self._mac_key = hashlib.sha256(b"merchant-assistant/hmac/" + raw.encode()).digest()

    def encrypt(self, plaintext: str) -> str:
        """The Fernet token (text) of ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of a Fernet token made by :meth:`encrypt`.

        Raises:
            ValueError: The token was not made with this key, or was altered.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("not a credentials token of this key") from None

    def mac(self, value: str) -> str:
        """The HMAC-SHA256 (hex) of ``value`` keyed with the credentials key."""
        return hmac.new(self._mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def matches(self, value: str, digest: str) -> bool:
        """Whether ``value``'s :meth:`mac` equals ``digest`` (constant time)."""
        return hmac.compare_digest(self.mac(value), digest)


def sha256_hex(value: str) -> str:
    """The SHA-256 digest (hex) of ``value``."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh URL-safe random token (256 bits) for a pairing link or a form nonce."""
    return secrets.token_urlsafe(32)
