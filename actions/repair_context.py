"""What every repair action shares: which account a turn is about, and the common answers.

The account comes from the button (entity ``account_id``, or the ``account_id`` slot it
fills), else from the account the conversation is repairing (slot ``repair_account``,
set by the repair actions, with ``repair_step``: ``reconnect`` or ``portal_steps``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import render
from actions.status import ready, say_unidentified
from actions.status_render import (
    Reply,
    notify_button,
    render_account,
    support_button,
    who_can,
)
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnauthorized, PlatformUnavailable

ACCOUNT_SLOT = "account_id"
REPAIR_ACCOUNT_SLOT = "repair_account"
REPAIR_STEP_SLOT = "repair_step"


def button_account(turn: Turn, tracker: Tracker) -> str | None:
    """The account a button (or an ``account_id`` entity) names in this turn."""
    value = turn.entity(ACCOUNT_SLOT) or tracker.get_slot(ACCOUNT_SLOT)
    return str(value) if value else None


def repairing_account(tracker: Tracker) -> str | None:
    """The account the conversation is repairing, if any."""
    value = tracker.get_slot(REPAIR_ACCOUNT_SLOT)
    return str(value) if value else None


def clear_button(tracker: Tracker) -> list[dict[str, Any]]:
    """Forget the button's account, so a later typed request is not tied to it."""
    return [SlotSet(ACCOUNT_SLOT, None)] if tracker.get_slot(ACCOUNT_SLOT) else []


def remember(account_id: Any, step: str | None) -> list[dict[str, Any]]:
    """Remember the account under repair and its kind of next step."""
    return [
        SlotSet(REPAIR_ACCOUNT_SLOT, str(account_id) if account_id else None),
        SlotSet(REPAIR_STEP_SLOT, step),
    ]


def minutes_until(value: Any, now: datetime | None = None) -> int:
    """Whole minutes (at least 1) from now until the ISO time ``value``."""
    if not value:
        return 0
    text = str(value).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    return max(1, math.ceil(seconds / 60))


def locked_reply(lang: str, label: str, locked_until: Any, with_button: bool = True) -> Reply:
    """Reconnecting is locked after too many wrong codes: when it opens, and the
    "Contact support" button (not when a person from support is taking over)."""
    text = render(lang, "repair.locked", label=label, minutes=minutes_until(locked_until))
    return Reply(text, [support_button(lang)] if with_button else [])


def say_not_allowed(
    dispatcher: CollectingDispatcher,
    turn: Turn,
    key: str,
    label: str,
    account_id: Any,
    names: list[str],
) -> None:
    """The user may not do this: who can, and a "Notify <names>" button when someone can."""
    names = [str(name) for name in names if name]
    buttons = [notify_button(turn.lang, account_id, names)] if names else []
    say(
        dispatcher,
        turn,
        key,
        buttons=buttons,
        label=label,
        who=who_can(turn.lang, names),
        notify=bool(names),
    )


def say_failure(dispatcher: CollectingDispatcher, turn: Turn, exc: Exception) -> None:
    """The answer to a failure no repair action handles itself."""
    if isinstance(exc, PlatformUnauthorized):
        say_unidentified(dispatcher, turn)
    elif isinstance(exc, PlatformUnavailable):
        say(dispatcher, turn, "platform.unavailable")
    elif isinstance(exc, PlatformError) and exc.code == "forbidden":
        say(dispatcher, turn, "repair.not_found")
    else:
        say(dispatcher, turn, "platform.error")


def account_label(answer: dict[str, Any]) -> str:
    """The account's label in a repair answer (``account``), else its provider."""
    return str(answer.get("account") or answer.get("provider") or "")


def say_new_error(
    dispatcher: CollectingDispatcher, turn: Turn, key: str, answer: dict[str, Any]
) -> list[dict[str, Any]]:
    """The first problem is gone but another one came up: say which, and how to fix it.

    Args:
        dispatcher: where replies go.
        turn: the current turn.
        key: the catalog text that introduces the new problem.
        answer: a ``Pairing`` or ``Check`` answer with ``broken`` entries.

    Returns:
        The events remembering the account and its new kind of next step.
    """
    broken = answer.get("broken") or []
    problem = "; ".join(str(entry.get("problem") or "") for entry in broken if entry)
    say(
        dispatcher,
        turn,
        key,
        label=account_label(answer),
        provider=answer.get("provider") or "",
        problem=problem.rstrip("."),
    )
    offered: set[str] = set()
    for entry in broken:
        account_id = str(entry.get("account_id"))
        reply = render_account(turn.lang, entry, with_button=account_id not in offered)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        offered.add(account_id)
    kind = ((broken[0].get("next_step") or {}).get("kind")) if broken else None
    return remember(answer.get("account_id"), kind)


class AccountAction(CatalogAction, ABC):
    """An action about one account: the button's, else the one the conversation is repairing.

    ``answer`` forgets the button's account, makes sure the platform vouched for the
    sender, then hands the account to ``answer_account`` (``answer_none`` without one).
    Subclasses still name themselves (``name``): rasa-sdk registers concrete actions only.
    """

    def account_of(self, turn: Turn, tracker: Tracker) -> str | None:
        """The account this turn is about."""
        return button_account(turn, tracker) or repairing_account(tracker)

    @abstractmethod
    async def answer_account(
        self, turn: Turn, dispatcher: CollectingDispatcher, account_id: str
    ) -> list[dict[str, Any]]:
        """Answer about ``account_id``; return the events to apply."""

    @abstractmethod
    async def answer_none(
        self, turn: Turn, dispatcher: CollectingDispatcher
    ) -> list[dict[str, Any]]:
        """Answer when the turn names no account; return the events to apply."""

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Forget the button, check the sender, then answer about the turn's account."""
        events = clear_button(tracker)
        if not ready(turn, dispatcher):
            return events
        account_id = self.account_of(turn, tracker)
        if account_id:
            return events + await self.answer_account(turn, dispatcher, account_id)
        return events + await self.answer_none(turn, dispatcher)

    async def call_platform(
        self,
        turn: Turn,
        dispatcher: CollectingDispatcher,
        request: Callable[..., Awaitable[dict[str, Any]]],
        *args: Any,
    ) -> dict[str, Any] | None:
        """``request(*args)``'s answer, or ``None`` after saying why the platform failed."""
        try:
            return await request(*args)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return None
