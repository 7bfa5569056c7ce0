"""What the platform's refusals (4xx answers) carry, and the replies several features share."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import join_names
from actions.status import say_unidentified
from actions.status_render import who_can
from actions.turn import Turn
from bot.platform_client import PlatformUnauthorized, PlatformUnavailable


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


def say_refusal_of(
    dispatcher: CollectingDispatcher,
    turn: Turn,
    exc: Exception,
    *,
    not_allowed: str,
    forbidden: str,
) -> None:
    """Why the platform refused a feature's call: an outage, an unknown name, no
    permission (the ``not_allowed`` response, naming who may), an item that is not the
    caller's or no longer there (the ``forbidden`` response), an unidentified sender,
    anything else."""
    if isinstance(exc, PlatformUnavailable):
        say(dispatcher, turn, "platform.unavailable")
        return
    code, detail = refusal(exc)
    if say_unknown_name(dispatcher, turn, code, detail):
        return
    if code == "not_allowed":
        say(dispatcher, turn, not_allowed, who=who_can(turn.lang, allowed_names(detail)))
    elif code == "forbidden":
        say(dispatcher, turn, forbidden)
    elif isinstance(exc, PlatformUnauthorized) or code == "unauthorized":
        say_unidentified(dispatcher, turn)
    else:
        say(dispatcher, turn, "platform.error")
