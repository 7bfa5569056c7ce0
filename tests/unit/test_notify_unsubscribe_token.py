"""The signed unsubscribe token of alert e-mails: round trip, forgeries, other purposes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.identity import Identity, InvalidToken, sign_identity, sign_session
from bot.notify.unsubscribe_token import (
    AUDIENCE,
    ISSUER,
    Unsubscribe,
    sign_unsubscribe,
    unsubscribe_url,
    verify_unsubscribe,
)

SECRET = "unit-identity-secret-0123456789abcdef-0123456789"
OTHER_SECRET = "someone-elses-secret-0123456789abcdef-01234567"


def test_round_trip_carries_user_and_language():
    token = sign_unsubscribe(42, SECRET, "fr")
    assert verify_unsubscribe(token, SECRET) == Unsubscribe(user_id=42, language="fr")


def test_unsupported_language_falls_back_to_english():
    assert verify_unsubscribe(sign_unsubscribe(7, SECRET, "de"), SECRET).language == "en"


def test_token_does_not_expire():
    claims = jwt.decode(
        sign_unsubscribe(7, SECRET), SECRET, algorithms=["HS256"], audience=AUDIENCE
    )
    assert "exp" not in claims and claims["purpose"] == "unsubscribe_email"


def test_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidToken):
        verify_unsubscribe(sign_unsubscribe(42, OTHER_SECRET), SECRET)


def test_tampered_user_id_is_refused():
    token = sign_unsubscribe(42, SECRET)
    header, _, signature = token.split(".")
    forged_claims = jwt.encode(
        {"sub": "43", "purpose": "unsubscribe_email", "aud": AUDIENCE, "iss": ISSUER},
        OTHER_SECRET,
        algorithm="HS256",
    ).split(".")[1]
    with pytest.raises(InvalidToken):
        verify_unsubscribe(f"{header}.{forged_claims}.{signature}", SECRET)


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c"])
def test_garbage_is_refused(token):
    with pytest.raises(InvalidToken):
        verify_unsubscribe(token, SECRET)


def test_wrong_purpose_is_refused():
    claims = {"sub": "42", "purpose": "login", "aud": AUDIENCE, "iss": ISSUER}
    with pytest.raises(InvalidToken, match="purpose"):
        verify_unsubscribe(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


def test_identity_and_session_tokens_are_not_unsubscribe_tokens():
    identity = sign_identity(Identity(42, "web:1", "web"), SECRET, 300)
    with pytest.raises(InvalidToken):
        verify_unsubscribe(identity, SECRET)
    with pytest.raises(InvalidToken):
        verify_unsubscribe(sign_session(42, SECRET, 300), SECRET)


def test_unsigned_token_is_refused():
    claims = {"sub": "42", "purpose": "unsubscribe_email", "aud": AUDIENCE, "iss": ISSUER}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(InvalidToken):
        verify_unsubscribe(unsigned, SECRET)


def test_url_points_at_the_gateway_page_with_the_recipients_token():
    settings = Settings(
        _env_file=None,
        identity_secret=SecretStr(SECRET),
        dashboard_url="https://dash.example.test/",
    )
    url = unsubscribe_url(settings, 42, "es")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "dash.example.test",
        "/alerts/unsubscribe",
    )
    [token] = parse_qs(parts.query)["t"]
    assert verify_unsubscribe(token, SECRET) == Unsubscribe(42, "es")
