"""Canary: a password and 2FA codes used in a real pairing appear nowhere they must not —
not in Rasa's tracker store, not in the platform database (the password only encrypted),
not in the logs of the four processes."""

from __future__ import annotations

import random
import re
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from bot.config import get_settings
from bot.launcher import Stack
from tests.e2e.repair_support import link_in, post_credentials, sandbox
from tests.e2e.store_text import database_text, platform_db_url, query_one, tracker_url


def _code() -> str:
    """Eight random digits, so that no timestamp or id in the stores matches by chance."""
    return str(random.SystemRandom().randint(10_000_000, 99_999_999))


def _appears(value: str, text: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z_-]){re.escape(value)}(?![0-9A-Za-z_-])", text) is not None


async def test_password_and_codes_never_stored_or_logged_in_clear(
    chat, stack: Stack, fresh_demo: None
) -> None:
    password = "canary-" + secrets.token_urlsafe(12)
    code, wrong_code = _code(), _code()
    while wrong_code == code:
        wrong_code = _code()
    sandbox(stack, "dd-main", password=password, code=code)

    olivia = await chat("olivia")
    turn = await olivia.say("is DoorDash working at Downtown?")
    turn = await olivia.click(turn, "Reconnect DoorDash — main")
    page = post_credentials(link_in(turn), "doordash@demo-kitchen.test", password)
    assert page.step, page.html
    await olivia.next_turn()
    turn = await olivia.say(f"the code is {wrong_code}")
    assert "4" in turn.text  # rejected, four tries left
    turn = await olivia.say(code)
    assert "Downtown / Taco Town" in turn.text  # paired: the canaries were really used
    await olivia.close()

    tracker = database_text(tracker_url(stack))
    platform = database_text(platform_db_url(stack))
    logs = "\n".join(p.read_text(errors="replace") for p in Path(stack.log_dir).glob("*.log"))
    for name, text in (("tracker store", tracker), ("platform db", platform), ("logs", logs)):
        for label, value in (("password", password), ("code", code), ("code", wrong_code)):
            assert not _appears(value, text), f"the {label} appears in the {name}"
    assert "code_submitted" in tracker  # Rasa learnt that a code was submitted, nothing more

    # The password is kept, encrypted with the key from the settings.
    key = get_settings().credentials_key.get_secret_value().encode()
    (secret,) = query_one(
        platform_db_url(stack),
        "SELECT secret FROM provider_credentials WHERE account_id = 'dd-main'",
    )
    token = secret if isinstance(secret, bytes) else str(secret).encode()
    assert Fernet(key).decrypt(token).decode() == password
