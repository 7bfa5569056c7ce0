"""oto: setting up OTO by chat — the one-time page for the retailer ID and token.

"set up OTO" → who may (the platform's ``may_manage``/``who_can``) and what is needed,
with a one-time "Send me the setup link" button → the link (the retailer ID and token
are typed on that page, never in the chat) → when the page is submitted the gateway
triggers ``oto_setup_update`` (``oto_event``: saved | invalid) and the bot says what
happened and what comes next (currency, branches).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.oto_api import (
    CURRENT_SETUP_PATH,
    SETUPS_PATH,
    branch_lists,
    button,
    oto_settings,
    say_not_allowed,
)
from actions.oto_settings import ManagedSettingsAction
from actions.repair_context import minutes_until, say_failure
from actions.status import ready
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


def _link_button(lang: str) -> dict[str, str]:
    return button(lang, "oto.link_button", "oto_setup_start")


def say_settings(
    dispatcher: CollectingDispatcher, turn: Turn, key: str, settings: dict[str, Any]
) -> None:
    """``key`` with the currency and branches, and a button per inactive branch."""
    branches = list(settings.get("branches") or [])
    active, inactive = branch_lists(turn.lang, branches)
    buttons = [
        button(turn.lang, "oto.activate_button", "oto_branch_activate", location=str(b["location"]))
        for b in branches
        if not b.get("active") and settings.get("may_manage")
    ]
    say(
        dispatcher,
        turn,
        key,
        buttons=buttons,
        currency=settings.get("currency") or "",
        currency_name=settings.get("currency_name") or "",
        active=active,
        inactive=inactive,
    )


class ActionOtoSetup(ManagedSettingsAction):
    """ "Set up OTO": who may, what is needed, and the button that sends the page link."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_setup"

    async def answer_settings(
        self, turn: Turn, dispatcher: CollectingDispatcher, settings: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Explain the setup, or say who may do it."""
        key = "oto.setup_again" if settings.get("set_up") else "oto.setup_intro"
        say(dispatcher, turn, key, buttons=[_link_button(turn.lang)])
        return []


class ActionOtoSetupStart(CatalogAction):
    """The one-time "Send me the setup link" button: the page's link."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_setup_start"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Ask the platform for a link and send it."""
        if not ready(turn, dispatcher):
            return []
        try:
            setup = await self.client.send("POST", SETUPS_PATH, turn.token, {"lang": turn.lang})
        except PlatformError as exc:
            if exc.code == "not_allowed":
                say_not_allowed(dispatcher, turn, list(exc.detail.get("who_can") or []))
            else:
                say_failure(dispatcher, turn, exc)
            return []
        except PlatformUnavailable as exc:
            say_failure(dispatcher, turn, exc)
            return []
        say(
            dispatcher,
            turn,
            "oto.link",
            url=setup.get("url") or "",
            minutes=minutes_until(setup.get("expires_at")),
        )
        return []


class ActionOtoSetupUpdate(CatalogAction):
    """Where the OTO setup stands: the page was submitted, or the user says "done"."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_setup_update"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Read the conversation's setup link and report it."""
        if not ready(turn, dispatcher):
            return []
        try:
            setup = await self.client.get(CURRENT_SETUP_PATH, turn.token)
            settings = await oto_settings(self.client, turn.token, turn.lang)
        except PlatformError as exc:
            if exc.code == "no_setup":
                say(dispatcher, turn, "oto.no_setup")
            else:
                say_failure(dispatcher, turn, exc)
            return []
        except PlatformUnavailable as exc:
            say_failure(dispatcher, turn, exc)
            return []
        outcome, state = str(setup.get("outcome") or ""), str(setup.get("state") or "")
        if outcome == "saved":
            say_settings(dispatcher, turn, "oto.saved", settings)
        elif outcome in ("invalid", "provider_error"):
            say(dispatcher, turn, f"oto.{outcome}", buttons=[_link_button(turn.lang)])
        elif state == "open":
            say(dispatcher, turn, "oto.waiting", minutes=minutes_until(setup.get("expires_at")))
        else:
            say(dispatcher, turn, "oto.expired", buttons=[_link_button(turn.lang)])
        return []
