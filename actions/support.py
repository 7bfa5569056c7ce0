"""support: how to reach our support team (and the provider, when the account is known).

A person taking over the chat comes with the handoff feature; for now the action gives
our support text number (a setting) and the provider's contact from the status answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.repair_context import button_account, repairing_account
from actions.status_render import account_name
from actions.turn import Turn
from bot.config import get_settings
from bot.platform_client import PlatformError, PlatformUnavailable


class ActionContactSupport(CatalogAction):
    """Say how to reach our support team, and the provider's own contact when known."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_contact_support"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Give the support number; add the provider's contact for the account in repair."""
        say(dispatcher, turn, "support.contact", support_phone=get_settings().support_phone)
        account_id = button_account(turn, tracker) or repairing_account(tracker)
        if account_id and turn.identified:
            entry = await self._provider_contact(turn, account_id)
            if entry is not None:
                say(
                    dispatcher,
                    turn,
                    "support.provider",
                    provider=entry[0],
                    label=entry[1],
                    contact=entry[2],
                )
        return []

    async def _provider_contact(self, turn: Turn, account_id: str) -> tuple[str, str, str] | None:
        """(provider, account label, contact) of the account's provider, if the status has one."""
        try:
            status = await self.client.integration_status(turn.token, lang=turn.lang)
        except (PlatformError, PlatformUnavailable):
            return None
        for entry in status.get("broken") or []:
            contact = (entry.get("next_step") or {}).get("contact")
            if entry.get("account_id") == account_id and contact:
                return str(entry.get("provider") or ""), account_name(entry), str(contact)
        return None
