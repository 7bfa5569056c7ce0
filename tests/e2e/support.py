"""Helpers the end-to-end tests share."""

from __future__ import annotations

import uuid

from bot.config import get_settings
from bot.identity import sign_session


def session_token(user_id: int, ttl: int = 600) -> str:
    """A web-chat session token, as `make token` prints it."""
    return sign_session(user_id, get_settings().session_secret.get_secret_value(), ttl)


def unique_id(prefix: str) -> str:
    """A conversation id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
