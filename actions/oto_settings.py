"""oto: the currency OTO collects on delivery, and branch activation — by chat, confirmed.

"set the OTO currency to SAR" → checked as an ISO 4217 code → Confirm (one-time button
with a fresh ``request_id``) → saved once. "activate OTO at Airport" → Confirm → the
branch is Active. Only users who may manage integrations (the others are told who may);
a typed "confirm" without the button's entities changes nothing.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import join_names
from actions.oto_api import (
    BRANCH_PATH,
    SET_CURRENCY_PATH,
    button,
    currency_info,
    currency_of,
    location_of,
    new_request_id,
    oto_settings,
    say_not_allowed,
)
from actions.repair_context import say_failure
from actions.status import ready
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


class OtoSettingsAction(CatalogAction):
    """An OTO settings action: the sender is checked, then the settings are read."""

    async def managed_settings(
        self, turn: Turn, dispatcher: CollectingDispatcher
    ) -> dict[str, Any] | None:
        """The OTO settings for a user who may change them, or ``None`` after saying why
        there are none (or who may change them)."""
        if not ready(turn, dispatcher):
            return None
        try:
            settings = await oto_settings(self.client, turn.token, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return None
        if not settings.get("may_manage"):
            say_not_allowed(dispatcher, turn, list(settings.get("who_can") or []))
            return None
        return settings

    async def change(
        self, turn: Turn, dispatcher: CollectingDispatcher, path: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        """PUT ``body`` to ``path``; ``None`` after saying why it was refused."""
        try:
            return dict(await self.client.send("PUT", path, turn.token, body) or {})
        except PlatformError as exc:
            if exc.code == "not_allowed":
                say_not_allowed(dispatcher, turn, list(exc.detail.get("who_can") or []))
            elif exc.code == "invalid_currency":
                say(dispatcher, turn, "oto.currency_invalid", code=body.get("currency") or "")
            elif exc.code == "not_set_up":
                say(dispatcher, turn, "oto.branch_needs_setup", buttons=[_setup_button(turn)])
            else:
                say_failure(dispatcher, turn, exc)
        except PlatformUnavailable as exc:
            say_failure(dispatcher, turn, exc)
        return None


class ManagedSettingsAction(OtoSettingsAction):
    """An OTO settings action for users who may change them: answers from the settings."""

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Read the settings (or say why not), then answer from them."""
        settings = await self.managed_settings(turn, dispatcher)
        if settings is None:
            return []
        return await self.answer_settings(turn, dispatcher, settings)

    @abstractmethod
    async def answer_settings(
        self, turn: Turn, dispatcher: CollectingDispatcher, settings: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The answer for a user who may change the OTO ``settings``."""


def _setup_button(turn: Turn) -> dict[str, str]:
    return button(turn.lang, "dispatch.button_setup", "oto_setup")


class ActionOtoCurrency(ManagedSettingsAction):
    """ "Set the OTO currency to SAR": check the code, then ask to confirm."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_currency"

    async def answer_settings(
        self, turn: Turn, dispatcher: CollectingDispatcher, settings: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The Confirm button for a valid code; otherwise what is wrong."""
        current = settings.get("currency") or ""
        code = currency_of(turn)
        if not code:
            say(dispatcher, turn, "oto.currency_ask", current=current)
            return []
        try:
            found = await currency_info(self.client, turn.token, code, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            say_failure(dispatcher, turn, exc)
            return []
        if found is None:
            say(dispatcher, turn, "oto.currency_invalid", code=code)
            return []
        if found.get("code") == current:
            say(dispatcher, turn, "oto.currency_same", code=current, name=found.get("name") or "")
            return []
        confirm = button(
            turn.lang,
            "oto.confirm_button",
            "oto_currency_confirm",
            currency=str(found.get("code")),
            request_id=new_request_id(),
        )
        say(
            dispatcher,
            turn,
            "oto.currency_confirm",
            buttons=[confirm],
            code=found.get("code") or "",
            name=found.get("name") or "",
            current=current,
        )
        return []


class ActionOtoCurrencyConfirm(OtoSettingsAction):
    """The Confirm button: save the currency (once per button)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_currency_confirm"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Save it, or ask for the button when the message did not come from it."""
        if not ready(turn, dispatcher):
            return []
        code, request_id = turn.entity("currency"), turn.entity("request_id")
        if not code or not request_id:
            say(dispatcher, turn, "oto.press_confirm")
            return []
        body = {"currency": code, "request_id": request_id, "lang": turn.lang}
        saved = await self.change(turn, dispatcher, SET_CURRENCY_PATH, body)
        if saved is not None:
            say(dispatcher, turn, "oto.currency_saved", code=saved.get("currency") or code,
                name=saved.get("name") or "")  # fmt: skip
        return []


class ActionOtoBranchActivate(ManagedSettingsAction):
    """ "Activate OTO at Airport": ask to confirm (or say why not, or which branch)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_branch_activate"

    async def answer_settings(
        self, turn: Turn, dispatcher: CollectingDispatcher, settings: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The Confirm button for an inactive branch; otherwise what is in the way."""
        if not settings.get("set_up"):
            say(dispatcher, turn, "oto.branch_needs_setup", buttons=[_setup_button(turn)])
            return []
        branches = list(settings.get("branches") or [])
        wanted = location_of(turn, branches)
        inactive = [str(b["location"]) for b in branches if not b.get("active")]
        if not wanted:
            if not inactive:
                say(dispatcher, turn, "oto.branch_all_active")
                return []
            buttons = [
                button(turn.lang, "oto.activate_button", "oto_branch_activate", location=name)
                for name in inactive
            ]
            say(dispatcher, turn, "oto.branch_which", buttons=buttons)
            return []
        match = next(
            (b for b in branches if str(b["location"]).casefold() == wanted.casefold()), None
        )
        if match is None:
            names = join_names(turn.lang, [str(b["location"]) for b in branches], "and")
            say(dispatcher, turn, "oto.branch_unknown", location=wanted, names=names)
            return []
        name = str(match["location"])
        if match.get("active"):
            say(dispatcher, turn, "oto.branch_already", location=name)
            return []
        confirm = button(
            turn.lang,
            "oto.confirm_button",
            "oto_branch_confirm",
            location=name,
            request_id=new_request_id(),
        )
        say(dispatcher, turn, "oto.branch_confirm", buttons=[confirm], location=name)
        return []


class ActionOtoBranchConfirm(OtoSettingsAction):
    """The Confirm button: mark the branch Active for OTO (once)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_oto_branch_confirm"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Activate it, or ask for the button when the message did not come from it."""
        if not ready(turn, dispatcher):
            return []
        location, request_id = turn.entity("location"), turn.entity("request_id")
        if not location or not request_id:
            say(dispatcher, turn, "oto.press_confirm")
            return []
        done = await self.change(turn, dispatcher, BRANCH_PATH, {"location": location})
        if done is not None:
            key = "oto.branch_already" if done.get("already") else "oto.branch_activated"
            say(dispatcher, turn, key, location=done.get("location") or location)
        return []
