"""onboarding: "connect DoorDash at Airport" — a NEW provider account, as the seed's
connection steps do it.

The platform checks the provider's eligibility criteria first and names each failing
one with its fix; when eligible, the bot offers the one-time sign-in link (one-time
button ``onboarding_start``), then after the sign-in (``onboarding_update`` from the
gateway) the brand choice (``onboarding_brand``), the stores (one-time
``onboarding_stores``), "waiting for the provider's QA", and any alert with its fix and
a "Retry menu export" button (one-time ``menu_export_retry``). A typed "retry the menu
export" only shows that button: nothing runs without a press.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, say
from actions.catalog import join_names
from actions.onboarding_api import check_eligibility, current_onboarding, onboarding_step
from actions.onboarding_render import report, retry_button, say_failing, say_link
from actions.refusals import refusal, say_refusal_of
from actions.status import named_location, ready
from actions.turn import Turn
from bot.platform_client import PlatformError, PlatformUnavailable


def say_refusal(dispatcher: CollectingDispatcher, turn: Turn, exc: Exception) -> None:
    """Why the platform refused: permission, names, already connected, outages."""
    code, detail = refusal(exc)
    if code == "already_connected" and not isinstance(exc, PlatformUnavailable):
        say(dispatcher, turn, "onboarding.already_connected", provider=detail.get("provider", ""),
            stores=join_names(turn.lang, list(detail.get("stores") or []), "and"),
            accounts=join_names(turn.lang, list(detail.get("accounts") or []), "and"))  # fmt: skip
        return
    not_allowed, forbidden = "onboarding.not_allowed", "onboarding.not_found"
    say_refusal_of(dispatcher, turn, exc, not_allowed=not_allowed, forbidden=forbidden)


class OnboardingAction(CatalogAction):
    """An onboarding step: identify, call the platform, report where it stands."""

    async def current(self, turn: Turn, dispatcher: CollectingDispatcher) -> dict | None:
        """The conversation's onboarding, or ``None`` after saying there is none."""
        try:
            view = await current_onboarding(self.client, turn.token, turn.lang)
        except (PlatformError, PlatformUnavailable) as exc:
            say_refusal(dispatcher, turn, exc)
            return None
        if view is None:
            say(dispatcher, turn, "onboarding.no_onboarding")
        return view

    async def step(
        self, turn: Turn, dispatcher: CollectingDispatcher, step: str, body: dict[str, Any]
    ) -> dict | None:
        """POST a step of the button's onboarding; ``None`` after saying why not."""
        onboarding_id = turn.entity("onboarding_id")
        if not onboarding_id:
            return await self.current(turn, dispatcher)
        try:
            return await onboarding_step(
                self.client, turn.token, onboarding_id, step, {**body, "lang": turn.lang}
            )
        except (PlatformError, PlatformUnavailable) as exc:
            if getattr(exc, "code", "") == "wrong_step":
                return await self.current(turn, dispatcher)
            say_refusal(dispatcher, turn, exc)
            return None


class ActionOnboardProvider(OnboardingAction):
    """ "connect DoorDash at Airport": the criteria, then the sign-in link button."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_onboard_provider"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Check the provider's criteria at the location and say what comes next."""
        if not ready(turn, dispatcher):
            return []
        provider = await self.providers.resolve(turn.text, turn.entity("provider"))
        if not provider:
            say(dispatcher, turn, "onboarding.ask")
            return []
        location = turn.entity("location") or ""
        try:
            result = await self._check(turn, provider, location)
        except (PlatformError, PlatformUnavailable) as exc:
            detail = getattr(exc, "detail", {}) or {}
            if getattr(exc, "code", "") == "unknown_location" and not location:
                known = join_names(turn.lang, list(detail.get("valid") or []), "and")
                name = await self._display(provider)
                say(dispatcher, turn, "onboarding.ask_location", provider=name, known=known)
                return []
            say_refusal(dispatcher, turn, exc)
            return []
        if not result.get("eligible"):
            failing = list(result.get("failing") or [])
            say(dispatcher, turn, "onboarding.not_eligible", provider=result.get("provider"),
                location=result.get("location"), count=len(failing))  # fmt: skip
            say_failing(dispatcher, turn, failing)
            return []
        report(dispatcher, turn, result.get("onboarding") or {})
        return []

    async def _display(self, provider: str) -> str:
        """The display name of a provider key (as typed when unknown)."""
        for known in await self.providers.providers():
            if known.key == provider:
                return known.name
        return provider

    async def _check(self, turn: Turn, provider: str, location: str) -> dict[str, Any]:
        """Ask the platform; a location named in the text but not tagged is found too."""
        try:
            return await check_eligibility(self.client, turn.token, provider, location, turn.lang)
        except PlatformError as exc:
            valid = [str(v) for v in (exc.detail or {}).get("valid") or []]
            named = named_location(turn.text, valid) if exc.code == "unknown_location" else None
            if not named or named == location:
                raise
            return await check_eligibility(self.client, turn.token, provider, named, turn.lang)


class ActionOnboardingStart(OnboardingAction):
    """The one-time "Send me the sign-in link" button: the pairing link."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_onboarding_start"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Send the link (or say where the onboarding stands when it is past that)."""
        if not ready(turn, dispatcher):
            return []
        had_button = bool(turn.entity("onboarding_id"))
        view = await self.step(turn, dispatcher, "pairing", {})
        if view is not None and had_button and view.get("url"):
            say_link(dispatcher, turn, view)
        elif view is not None:
            report(dispatcher, turn, view)
        return []


class ActionOnboardingUpdate(OnboardingAction):
    """The sign-in page or the provider's QA moved on (gateway), or the user asks."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_onboarding_update"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Read the conversation's onboarding and report it."""
        if not ready(turn, dispatcher):
            return []
        view = await self.current(turn, dispatcher)
        if view is not None:
            report(dispatcher, turn, view)
        return []


class ActionOnboardingBrand(OnboardingAction):
    """Merge with the existing brand, or create a new one; then the stores."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_onboarding_brand"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Record the choice and offer the stores."""
        if not ready(turn, dispatcher):
            return []
        mode = turn.entity("brand_mode") or ""
        view = await self.step(turn, dispatcher, "brand", {"brand_mode": mode})
        if view is not None:
            report(dispatcher, turn, view)
        return []


class ActionOnboardingStores(OnboardingAction):
    """The one-time store button: connect, export the menus, wait for the provider's QA."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_onboarding_stores"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Connect the chosen stores and report (waiting for QA, or an alert)."""
        if not ready(turn, dispatcher):
            return []
        stores = [part for part in (turn.entity("stores") or "").split(",") if part]
        if not stores:
            view = await self.current(turn, dispatcher)
        else:
            view = await self.step(turn, dispatcher, "stores", {"stores": stores})
        if view is not None:
            report(dispatcher, turn, view)
        return []


class ActionMenuExportRetry(OnboardingAction):
    """ "Retry menu export": the button retries once; typed words only show the button."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_menu_export_retry"

    async def answer(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Retry with the button's request id, or offer the button."""
        if not ready(turn, dispatcher):
            return []
        request_id = turn.entity("request_id")
        if not (request_id and turn.entity("onboarding_id")):
            view = await self.current(turn, dispatcher)
            if view is None:
                return []
            if view.get("state") != "alert":
                say(dispatcher, turn, "onboarding.nothing_to_retry")
                return []
            button = retry_button(turn.lang, str(view.get("onboarding_id")))
            say(dispatcher, turn, "onboarding.press_retry", buttons=[button],
                provider=view.get("provider") or "")  # fmt: skip
            return []
        view = await self.step(turn, dispatcher, "menu-export", {"request_id": request_id})
        if view is not None:
            report(dispatcher, turn, view)
        return []
