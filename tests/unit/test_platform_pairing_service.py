"""The pairing service's clock: link expiry and the wrong-code window, with a fixed ``now``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.identity import Identity
from bot.platform.models import PairingCodeFailure, ProviderAccount, User
from bot.platform.services import pairing
from bot.platform.services.errors import NoPendingCode, PairingLocked

KEY = "dGVzdC1jcmVkZW50aWFscy1rZXktMzItYnl0ZXMhISE="
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None, credentials_key=SecretStr(KEY), platform_public_url="https://x/"
    )


@pytest.fixture
def olivia(demo_session) -> User:
    return demo_session.scalars(select(User).where(User.email == "olivia@demo-kitchen.test")).one()


def _start(session, settings, user, now, conversation="c1"):
    identity = Identity(user.id, conversation, "web")
    started = pairing.start_pairing(session, settings, user, identity, "dd-main", "en", now=now)
    token = started.url.rsplit("/", 1)[1]
    assert started.url == f"https://x/pair/{token}"
    return started, token


def test_link_expiry(demo_session, settings, olivia):
    started, token = _start(demo_session, settings, olivia, T0)
    assert started.view.expires_at == T0 + timedelta(seconds=600)
    almost = T0 + timedelta(seconds=599)
    assert pairing.page_context(demo_session, token, now=almost) is not None
    late = T0 + timedelta(seconds=600)
    assert pairing.page_context(demo_session, token, now=late) is None
    result = pairing.submit_credentials(
        demo_session, settings, token, "a@b.test", "demo-password", now=late
    )
    assert result.outcome == "gone" and result.notify is None
    ok = pairing.submit_credentials(
        demo_session, settings, token, "a@b.test", "demo-password", now=almost
    )
    assert ok.outcome == "needs_code"
    with pytest.raises(NoPendingCode):
        pairing.submit_chat_code(demo_session, settings, olivia.id, "c1", "246810", now=late)


def test_wrong_codes_count_only_inside_the_window(demo_session, settings, olivia):
    _, token = _start(demo_session, settings, olivia, T0)
    pairing.submit_credentials(demo_session, settings, token, "a@b.test", "demo-password", now=T0)
    for minute in range(4):
        result = pairing.submit_chat_code(
            demo_session, settings, olivia.id, "c1", "1", now=T0 + timedelta(minutes=minute)
        )
        assert (result.outcome, result.attempts_left) == ("code_rejected", 4 - minute)
    # 16 minutes later the first wrong codes left the 15-minute window.
    later = T0 + timedelta(minutes=16)
    _, token = _start(demo_session, settings, olivia, later)
    pairing.submit_credentials(
        demo_session, settings, token, "a@b.test", "demo-password", now=later
    )
    result = pairing.submit_chat_code(demo_session, settings, olivia.id, "c1", "1", now=later)
    assert (result.outcome, result.attempts_left) == ("code_rejected", 2)  # 3 still count


def test_fifth_wrong_code_locks_the_account_for_the_lock_time(demo_session, settings, olivia):
    _, token = _start(demo_session, settings, olivia, T0)
    pairing.submit_credentials(demo_session, settings, token, "a@b.test", "demo-password", now=T0)
    outcomes = [
        pairing.submit_chat_code(
            demo_session, settings, olivia.id, "c1", "9", now=T0 + timedelta(seconds=i)
        ).outcome
        for i in range(5)
    ]
    assert outcomes == ["code_rejected"] * 4 + ["locked"]
    account = demo_session.get(ProviderAccount, "dd-main")
    assert account.pairing_locked_until == T0 + timedelta(seconds=4 + 900)
    assert demo_session.scalars(select(PairingCodeFailure)).all() == []
    with pytest.raises(PairingLocked):
        _start(demo_session, settings, olivia, T0 + timedelta(minutes=10))
    with pytest.raises(NoPendingCode):  # the locked pairing no longer takes codes
        pairing.submit_chat_code(demo_session, settings, olivia.id, "c1", "246810", now=T0)
    _, token = _start(demo_session, settings, olivia, T0 + timedelta(minutes=16))
    view = pairing.current_pairing(
        demo_session, settings, olivia, "c1", None, now=T0 + timedelta(minutes=16)
    )
    assert view.attempts_left == 5
