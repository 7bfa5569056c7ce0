"""alerts: "stop e-mail alerts", "send me the alerts by SMS", "which alerts do I get?".

Each user manages their own alerts (``GET`` / ``PATCH /api/v1/alerts/settings``). Off
without a channel turns both off; on without a channel asks "by SMS or by e-mail?" with
buttons (asking changes nothing, so it needs no code by SMS; the buttons are one-time).
The platform refuses SMS alerts without a verified phone (``no_verified_phone``) or for
a number that texted STOP (``sms_stopped``), and a change by SMS without the code
(``confirmation_required``): each refusal is explained and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, ask_for_confirmation, say
from actions.catalog import join_names, render
from actions.refusals import refusal
from actions.repair_context import say_failure
from actions.status import ready
from actions.turn import Turn
from bot.config import get_settings
from bot.platform_client import PlatformError, PlatformUnavailable

CHANNEL_ENTITY = "alert_channel"
CHANNELS: tuple[str, ...] = ("sms", "email")
# What the NLU may leave unmapped (the synonyms of data/nlu/alerts.yml map most of it).
_SPELLINGS = {
    "sms": "sms",
    "text": "sms",
    "texts": "sms",
    "texting": "sms",
    "texto": "sms",
    "textos": "sms",
    "mensaje": "sms",
    "mensajes": "sms",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "mails": "email",
    "emails": "email",
    "courriel": "email",
    "correo": "email",
    "correos": "email",
}


def alert_channels(entities: list[dict[str, Any]]) -> list[str]:
    """The channels (``sms``, ``email``) the message's entities name, in a stable order."""
    named: set[str] = set()
    for entity in entities:
        if entity.get("entity") != CHANNEL_ENTITY or not entity.get("value"):
            continue
        value = str(entity["value"]).strip().lower()
        channel = _SPELLINGS.get(value) or _SPELLINGS.get(value.split()[0] if value else "")
        if channel:
            named.add(channel)
    return [channel for channel in CHANNELS if channel in named]


def intent_of(tracker: Tracker) -> str:
    """The latest message's intent name."""
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def channel_names(lang: str, channels: list[str]) -> str:
    """``"SMS and e-mail"`` in ``lang``."""
    return join_names(lang, [render(lang, f"alerts.channel.{name}") for name in channels], "and")


def channel_button(lang: str, channel: str) -> dict[str, str]:
    """ "By SMS" / "By e-mail": turn that channel on (a one-time button)."""
    values = json.dumps({CHANNEL_ENTITY: channel}, separators=(",", ":"))
    return {"title": render(lang, f"alerts.button.{channel}"), "payload": f"/alerts_on{values}"}


def say_settings(dispatcher: CollectingDispatcher, turn: Turn, settings: dict[str, Any]) -> None:
    """What the user gets now: channels, a number that texted STOP, quiet hours."""
    lang = turn.lang
    on = [channel for channel in CHANNELS if settings.get(channel)]
    lines = [
        render(lang, "alerts.now", channels=channel_names(lang, on))
        if on
        else render(lang, "alerts.none")
    ]
    if settings.get("sms_stopped"):
        lines.append(render(lang, "alerts.stopped", number=get_settings().support_phone))
    if settings.get("quiet_start") and settings.get("quiet_end"):
        lines.append(
            render(lang, "alerts.quiet", start=settings["quiet_start"], end=settings["quiet_end"])
        )
    dispatcher.utter_message(text="\n".join(lines))


class ActionAlertSettings(CatalogAction):
    """Turn the user's own SMS / e-mail alerts on or off, or say which they get."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_alert_settings"

    def only_asks(self, turn: Turn, tracker: Tracker) -> bool:
        """ "Send me alerts" names no channel: the bot only asks "by SMS or by e-mail?" (its
        buttons are one-time codes), so an SMS sender is not asked for a code twice."""
        return intent_of(tracker) == "alerts_on" and not alert_channels(turn.entities)

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Show the settings, or change them and say what changed."""
        if not ready(turn, dispatcher):
            return []
        intent = intent_of(tracker)
        channels = alert_channels(turn.entities)
        if self.only_asks(turn, tracker):
            buttons = [channel_button(turn.lang, channel) for channel in CHANNELS]
            say(dispatcher, turn, "alerts.ask_channel", buttons=buttons)
            return []
        try:
            if intent in ("alerts_on", "alerts_off"):
                wanted = channels or list(CHANNELS)
                values = dict.fromkeys(wanted, intent == "alerts_on")
                settings = await self.client.update_alert_settings(turn.token, **values)
                self._say_change(dispatcher, turn, intent == "alerts_on", wanted, settings)
            else:
                settings = await self.client.alert_settings(turn.token)
            say_settings(dispatcher, turn, settings)
        except PlatformError as exc:
            self._say_refusal(dispatcher, turn, tracker, exc)
        except PlatformUnavailable as exc:
            say_failure(dispatcher, turn, exc)
        return []

    @staticmethod
    def _say_change(
        dispatcher: CollectingDispatcher,
        turn: Turn,
        on: bool,
        wanted: list[str],
        settings: dict[str, Any],
    ) -> None:
        changed = [channel for channel in CHANNELS if channel in (settings.get("changed") or [])]
        if changed:
            key = "alerts.turned_on" if on else "alerts.turned_off"
            say(dispatcher, turn, key, channels=channel_names(turn.lang, changed))
        else:
            key = "alerts.already_on" if on else "alerts.already_off"
            say(dispatcher, turn, key, channels=channel_names(turn.lang, wanted))

    @staticmethod
    def _say_refusal(
        dispatcher: CollectingDispatcher, turn: Turn, tracker: Tracker, exc: PlatformError
    ) -> None:
        code, _detail = refusal(exc)
        if code == "no_verified_phone":
            say(dispatcher, turn, "alerts.no_verified_phone")
        elif code == "sms_stopped":
            say(dispatcher, turn, "alerts.sms_stopped", number=get_settings().support_phone)
        elif code == "confirmation_required":
            ask_for_confirmation(dispatcher, turn, tracker)
        else:
            say_failure(dispatcher, turn, exc)
