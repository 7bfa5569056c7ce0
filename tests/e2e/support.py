"""Helpers the end-to-end tests share."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from bot.config import get_settings
from bot.identity import sign_session
from bot.launcher import Stack

PLATFORM_RESTART_SECONDS = 60.0


def session_token(user_id: int, ttl: int = 600) -> str:
    """A web-chat session token, as `make token` prints it."""
    return sign_session(user_id, get_settings().session_secret.get_secret_value(), ttl)


def unique_id(prefix: str) -> str:
    """A conversation id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@contextmanager
def platform_settings(stack: Stack, env: dict[str, str]) -> Iterator[None]:
    """Run the session stack's platform with ``env`` added to its settings, then as before.

    The platform reads its settings once, at start (support hours, for instance): only
    that process is restarted, on the same port and database, which takes seconds; the
    gateway, the action server and Rasa keep running.
    """
    stack.restart("platform", env, timeout=PLATFORM_RESTART_SECONDS)
    try:
        yield
    finally:
        stack.restart("platform", timeout=PLATFORM_RESTART_SECONDS)
