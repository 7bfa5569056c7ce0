"""activation: "Please help me activate my DoorDash integration", as the seed's chatbot does it.

The bot lists, as buttons, the locations that can be activated for the provider
(connected, passed the provider's QA, not activated) and says why any other location
cannot be; the user picks one or all (``activation_select``); the bot warns that we
become the primary order manager there and that any other order-management connection
is disconnected, with Confirm (one-time button, ``activation_confirm``) and Cancel
(``activation_abort``); Confirm activates through the platform and answers one
confirmation per location, then offers "Activate other locations". When the provider
reports an error, the conversation is handed to a person from our support team
(``action_failed``; only the "Contact support" button if the handoff cannot be opened).
"""

from __future__ import annotations

import secrets
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.activation_api import activate_links, activation_overview, parse_links
from actions.activation_render import (
    active_reply,
    blocked_reply,
    choice_reply,
    others_reply,
    outcome_reply,
    warning_reply,
)
from actions.base import CatalogAction, say
from actions.refusals import say_refusal_of
from actions.status import named_location, ready
from actions.status_render import Reply
from actions.support import Failure, HandoverAction
from actions.turn import Turn
from bot.config import get_settings
from bot.platform_client import PlatformError, PlatformUnavailable

LINKS_ENTITY = "links"
REQUEST_ENTITY = "request_id"


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one reply (text and buttons)."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons)


def say_refusal(dispatcher: CollectingDispatcher, turn: Turn, exc: Exception) -> None:
    """Why the platform would not list or activate: permission, unknown names, outages."""
    say_refusal_of(
        dispatcher, turn, exc, not_allowed="activation.not_allowed", forbidden="activation.stale"
    )


async def fetch_overview(
    action: CatalogAction,
    turn: Turn,
    dispatcher: CollectingDispatcher,
    provider: str | None = None,
    location: str | None = None,
) -> dict[str, Any] | None:
    """The platform's activation overview, or ``None`` after saying why there is none."""
    try:
        return await activation_overview(
            action.client, turn.token, provider=provider, location=location, lang=turn.lang
        )
    except (PlatformError, PlatformUnavailable) as exc:
        say_refusal(dispatcher, turn, exc)
        return None


def _at(links: list[dict[str, Any]], location: str | None) -> list[dict[str, Any]]:
    if not location:
        return links
    return [link for link in links if str(link.get("location")).casefold() == location.casefold()]


class ActionActivateIntegration(CatalogAction):
    """List the locations that can be activated (buttons), and why others cannot."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_activate_integration"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Ask the platform, then show the choice, the reasons and what is already active."""
        if not ready(turn, dispatcher):
            return []
        typed = not turn.text.startswith("/")
        provider = await self.providers.resolve(turn.text, turn.entity("provider"))
        location = turn.entity("location")
        overview = await fetch_overview(self, turn, dispatcher, provider, location)
        if overview is None:
            return []
        if not location and typed:
            everywhere = overview["activatable"] + overview["blocked"] + overview["active"]
            names = list(dict.fromkeys(str(link.get("location")) for link in everywhere))
            location = named_location(turn.text, names)
        show_overview(turn, dispatcher, overview, location)
        return []


def show_overview(
    turn: Turn, dispatcher: CollectingDispatcher, overview: dict[str, Any], location: str | None
) -> None:
    """The choice of locations, the reasons for the others, what is already active."""
    provider = overview.get("provider")
    activatable = _at(list(overview.get("activatable") or []), location)
    blocked = _at(list(overview.get("blocked") or []), location)
    active = _at(list(overview.get("active") or []), location)
    if activatable:
        send(dispatcher, choice_reply(turn.lang, provider, activatable))
    elif provider and active and not blocked:
        send(dispatcher, active_reply(turn.lang, active))
        return
    elif blocked or active:
        say(dispatcher, turn, "activation.none_activatable", provider=provider or "")
    elif provider:
        say(dispatcher, turn, "activation.no_account", provider=provider)
        return
    else:
        say(dispatcher, turn, "activation.nothing")
        return
    if blocked:
        send(dispatcher, blocked_reply(turn.lang, blocked))


class ActionActivationSelect(CatalogAction):
    """The user picked locations: check them again, warn, and ask to confirm."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_activation_select"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """The warning with Confirm / Cancel for the picked locations still activatable."""
        if not ready(turn, dispatcher):
            return []
        wanted = parse_links(turn.entity(LINKS_ENTITY))
        overview = await fetch_overview(self, turn, dispatcher)
        if overview is None:
            return []
        if not wanted:  # typed, not a button: show the choice again
            show_overview(turn, dispatcher, overview, None)
            return []
        activatable = {int(link["link_id"]): link for link in overview.get("activatable") or []}
        others = {
            int(link["link_id"]): link
            for link in (overview.get("blocked") or []) + (overview.get("active") or [])
        }
        chosen = [activatable[link_id] for link_id in wanted if link_id in activatable]
        refused = [others[link_id] for link_id in wanted if link_id in others]
        if refused:
            send(dispatcher, blocked_reply(turn.lang, refused))
        if len(chosen) + len(refused) < len(wanted):
            say(dispatcher, turn, "activation.stale")
        if chosen:
            send(dispatcher, warning_reply(turn.lang, chosen, secrets.token_urlsafe(8)))
        return []


class ActionActivationConfirm(HandoverAction):
    """Confirm was pressed: activate, then one confirmation per location; a provider
    error hands the conversation to a person from support (reason ``action_failed``)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_activation_confirm"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Activate the button's links; a typed "confirm" without the button does nothing."""
        if not ready(turn, dispatcher):
            return []
        links = parse_links(turn.entity(LINKS_ENTITY))
        request_id = turn.entity(REQUEST_ENTITY)
        if not links or not request_id:
            say(dispatcher, turn, "activation.press_confirm")
            return []
        try:
            results = await activate_links(self.client, turn.token, links, request_id, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            say_refusal(dispatcher, turn, exc)
            return []
        phone = get_settings().support_phone
        replies = [outcome_reply(turn.lang, result, phone) for result in results]
        if any(result.get("outcome") in ("activated", "already_active") for result in results):
            replies.append(others_reply(turn.lang))
        if not any(result.get("outcome") == "failed" for result in results):
            for reply in replies:
                send(dispatcher, reply)
            return []
        # The provider failed: a person from support finishes it (issue 7).
        handed = [outcome_reply(turn.lang, result, phone, False) for result in results]
        failure = Failure(handed=handed, kept=replies, gives_phone=True)
        return await self.hand_over_failure(turn, dispatcher, tracker, failure)


class ActionActivationAbort(CatalogAction):
    """Cancel was pressed (or "don't activate" typed): nothing is activated."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_activation_abort"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Say nothing was activated."""
        say(dispatcher, turn, "activation.aborted")
        return []
