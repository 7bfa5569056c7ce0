"""The shared shape of every action: read the turn, answer from the catalog."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import DEFAULT_LANGUAGE, normalize_language, render
from actions.platform import shared_client
from actions.providers import ProviderCatalog
from actions.turn import IDENTITY_ENTITY, LANGUAGE_SLOT, Turn, read_turn
from bot.logs import log_context
from bot.platform_client import PlatformClient
from bot.side_effects import CONFIRMED_CHANNELS, CONFIRMED_INTENTS


class CatalogAction(Action, ABC):
    """An action that answers in the user's language; subclasses implement ``answer``.

    Args:
        client: the platform client; by default the process-wide one, created on first use.
    """

    def __init__(self, client: PlatformClient | None = None) -> None:
        self._client = client
        self._providers: ProviderCatalog | None = None

    @property
    def client(self) -> PlatformClient:
        """The platform client this action calls."""
        if self._client is None:
            self._client = shared_client()
        return self._client

    @property
    def providers(self) -> ProviderCatalog:
        """The provider catalog, fetched through this action's client."""
        if self._providers is None:
            self._providers = ProviderCatalog(self.client)
        return self._providers

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Send the replies for ``turn``; return the events to apply."""

    def only_asks(self, turn: Turn, tracker: Tracker) -> bool:
        """Whether this turn only asks a question back (changes nothing): then an SMS
        sender is not asked for the code first."""
        return False

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """rasa-sdk's entry point: log lines carry the conversation and request ids."""
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        request_id = str(metadata.get("request_id") or "") or None
        with log_context(tracker.sender_id, request_id):
            return await self._run(dispatcher, tracker)

    async def _run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        turn = await read_turn(self.client, tracker)
        if needs_confirmation(turn, tracker) and not self.only_asks(turn, tracker):
            ask_for_confirmation(dispatcher, turn, tracker)
            events: list[dict[str, Any]] = []
        else:
            events = await self.answer(turn, dispatcher, tracker)
        # Remember the conversation's language when it is not the profile's (see read_turn).
        profile = normalize_language((turn.profile or {}).get("language")) or DEFAULT_LANGUAGE
        remembered = turn.lang if turn.lang != profile else None
        if tracker.get_slot(LANGUAGE_SLOT) != remembered:
            events = [*events, SlotSet(LANGUAGE_SLOT, remembered)]
        return events


def needs_confirmation(turn: Turn, tracker: Tracker) -> bool:
    """Whether the message asks for a side effect by a channel whose sender id can be
    spoofed (SMS) without being the one-time code the bot sent for it."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return (
        turn.identified
        and turn.channel in CONFIRMED_CHANNELS
        and intent in CONFIRMED_INTENTS
        and not turn.confirmed
    )


def ask_for_confirmation(dispatcher: CollectingDispatcher, turn: Turn, tracker: Tracker) -> None:
    """Offer the typed request back as a one-time button (by SMS: a code to reply with)."""
    message = tracker.latest_message or {}
    intent = str((message.get("intent") or {}).get("name"))
    values: dict[str, str] = {}
    for entity in message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name and name != IDENTITY_ENTITY and value is not None and name not in values:
            values[str(name)] = str(value)
    payload = f"/{intent}{json.dumps(values, ensure_ascii=False)}" if values else f"/{intent}"
    button = {"title": render(turn.lang, "channels.confirm_button"), "payload": payload}
    say(dispatcher, turn, "channels.confirm_by_code", buttons=[button])


def say(
    dispatcher: CollectingDispatcher,
    turn: Turn,
    key: str,
    buttons: list[dict[str, str]] | None = None,
    **values: Any,
) -> None:
    """Send the catalog text ``key`` in the turn's language."""
    dispatcher.utter_message(text=render(turn.lang, key, **values), buttons=buttons or [])
