"""What the platform's refusals (4xx answers) carry, and the replies several features share."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import join_names
from actions.turn import Turn


def refusal(exc: Exception) -> tuple[str, dict[str, Any]]:
    """The refusal's ``code`` and ``detail`` (empty for an outage or a local error)."""
    return getattr(exc, "code", ""), getattr(exc, "detail", {}) or {}


def allowed_names(detail: dict[str, Any]) -> list[str]:
    """The names of a ``not_allowed`` refusal's ``who_can`` (the people who may)."""
    return [str(name) for name in detail.get("who_can") or [] if name]


def say_unknown_name(
    dispatcher: CollectingDispatcher, turn: Turn, code: str, detail: dict[str, Any]
) -> bool:
    """Say that a provider or location name is unknown, with the known ones; ``False``
    (nothing said) for any other refusal."""
    if code not in ("unknown_provider", "unknown_location"):
        return False
    known = join_names(turn.lang, [str(value) for value in detail.get("valid") or []], "and")
    say(dispatcher, turn, f"status.{code}", value=detail.get("value"), known=known)
    return True
