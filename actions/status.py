"""status: "are my integrations ok?", "is DoorDash working at Downtown?"."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import join_names
from actions.status_render import render_status
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnauthorized, PlatformUnavailable


@dataclass(frozen=True)
class StatusQuery:
    """What the user asked about: a provider (catalog key or as typed) and a location."""

    provider: str | None = None
    location: str | None = None


def locations_of(status: dict[str, Any]) -> list[str]:
    """Every location that appears in a status answer."""
    names: dict[str, None] = {}
    for account in (status.get("broken") or []) + (status.get("working") or []):
        for store in account.get("stores") or []:
            if store.get("location"):
                names[str(store["location"])] = None
    return list(names)


def named_location(text: str, locations: list[str]) -> str | None:
    """The first of ``locations`` that ``text`` names as a whole word, if any."""
    found = [
        (match.start(), name)
        for name in locations
        if (match := re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE))
    ]
    return min(found)[1] if found else None


def say_unidentified(dispatcher: CollectingDispatcher, turn: Turn) -> None:
    """General help only: nothing about any organization."""
    say(dispatcher, turn, "identity.unknown")
    say(dispatcher, turn, "help")


def ready(turn: Turn, dispatcher: CollectingDispatcher) -> bool:
    """Whether the platform answered and vouched for the sender (else say why not)."""
    if not turn.reachable:
        say(dispatcher, turn, "platform.unavailable")
        return False
    if not turn.identified:
        say_unidentified(dispatcher, turn)
        return False
    return True


async def fetch_status(
    action: CatalogAction, turn: Turn, dispatcher: CollectingDispatcher, query: StatusQuery
) -> dict[str, Any] | None:
    """The platform's status answer, or ``None`` after explaining why there is none."""
    if not ready(turn, dispatcher):
        return None
    try:
        return await action.client.integration_status(
            turn.token, query.provider, query.location, turn.lang
        )
    except PlatformUnauthorized:
        say_unidentified(dispatcher, turn)
    except PlatformUnavailable:
        say(dispatcher, turn, "platform.unavailable")
    except PlatformError as exc:
        await _say_platform_error(action, turn, dispatcher, exc, query)
    return None


async def _say_platform_error(
    action: CatalogAction,
    turn: Turn,
    dispatcher: CollectingDispatcher,
    exc: PlatformError,
    query: StatusQuery,
) -> None:
    valid = [str(value) for value in exc.detail.get("valid") or []]
    if exc.code == "unknown_provider":
        known = valid or [provider.name for provider in await action.providers.providers()]
        value = exc.detail.get("value") or query.provider
        say(
            dispatcher,
            turn,
            "status.unknown_provider",
            value=value,
            known=join_names(turn.lang, known, "and"),
        )
    elif exc.code == "unknown_location":
        value = exc.detail.get("value") or query.location
        say(
            dispatcher,
            turn,
            "status.unknown_location",
            value=value,
            known=join_names(turn.lang, valid, "and"),
        )
    else:
        say(dispatcher, turn, "platform.error")


async def read_query(action: CatalogAction, turn: Turn) -> StatusQuery:
    """The provider (entity or alias in the text) and the location entity, if any."""
    provider = await action.providers.resolve(turn.text, turn.entity("provider"))
    return StatusQuery(provider, turn.entity("location"))


async def fetch_filtered_status(
    action: CatalogAction, turn: Turn, dispatcher: CollectingDispatcher
) -> dict[str, Any] | None:
    """The status for what the message asks about.

    Without a location entity, a location of the answer that the text names (the NLU
    may miss a location it never saw) narrows the answer with a second request.
    """
    query = await read_query(action, turn) if turn.identified else StatusQuery()
    status = await fetch_status(action, turn, dispatcher, query)
    if status is None or query.location or turn.text.startswith("/"):
        return status
    location = named_location(turn.text, locations_of(status))
    if location is None:
        return status
    return await fetch_status(action, turn, dispatcher, replace(query, location=location))


class ActionStatus(CatalogAction):
    """Which provider accounts are broken, why, where, and what to do next."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_status"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Fetch the (filtered) status and send it."""
        status = await fetch_filtered_status(self, turn, dispatcher)
        if status is not None:
            for reply in render_status(turn.lang, status):
                dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return []
