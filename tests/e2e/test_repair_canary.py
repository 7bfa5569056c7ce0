"""Canary: a password and 2FA codes used in a real pairing appear nowhere they must not —
not in Rasa's tracker store, not in the platform database (the password only encrypted),
not in the logs of the four processes."""

from __future__ import annotations

import random
import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import get_settings
from bot.launcher import Stack
from tests.e2e.repair_support import link_in, post_credentials, reset_demo, sandbox


@pytest.fixture
def fresh_demo(stack: Stack) -> Iterator[None]:
    reset_demo(stack)
    yield
    reset_demo(stack)


def _code() -> str:
    """Eight random digits, so that no timestamp or id in the stores matches by chance."""
    return str(random.SystemRandom().randint(10_000_000, 99_999_999))


def _sqlite_text(path: Path) -> str:
    """Every value of every table of a SQLite database, as text (plus the raw file)."""
    rows: list[str] = [
        raw.read_bytes().decode("latin-1")
        for raw in (path, path.with_name(path.name + "-wal"))
        if raw.exists()
    ]
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - table names
                rows.append(" ".join(str(value) for value in row))
    return "\n".join(rows)


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

    workdir = Path(stack.log_dir).parent
    tracker = _sqlite_text(workdir / "rasa-tracker.db")
    platform = _sqlite_text(workdir / "platform.db")
    logs = "\n".join(p.read_text(errors="replace") for p in Path(stack.log_dir).glob("*.log"))
    for name, text in (("tracker store", tracker), ("platform db", platform), ("logs", logs)):
        for label, value in (("password", password), ("code", code), ("code", wrong_code)):
            assert not _appears(value, text), f"the {label} appears in the {name}"
    assert "code_submitted" in tracker  # Rasa learnt that a code was submitted, nothing more

    # The password is kept, encrypted with the key from the settings.
    key = get_settings().credentials_key.get_secret_value().encode()
    with sqlite3.connect(workdir / "platform.db") as db:
        (secret,) = db.execute(
            "SELECT secret FROM provider_credentials WHERE account_id = 'dd-main'"
        ).fetchone()
    token = secret if isinstance(secret, bytes) else str(secret).encode()
    assert Fernet(key).decrypt(token).decode() == password
