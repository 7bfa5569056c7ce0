"""onboarding: how the bot shows an onboarding (the platform's view) at each step.

Buttons carry the onboarding's id; the side-effect ones (send the sign-in link, choose
stores, retry the menu export) are one-time ids in the gateway. A Retry button gets a
fresh ``request_id`` each time it is shown, so each press is one retry.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import join_names, render
from actions.repair_context import minutes_until
from actions.turn import Turn


def button(lang: str, key: str, intent: str, **entities: str) -> dict[str, str]:
    """A button titled with catalog text ``key`` sending ``/intent{entities}``."""
    return {"title": render(lang, key), "payload": _payload(intent, **entities)}


def start_button(lang: str, onboarding_id: str, key: str = "onboarding.start_button") -> dict:
    """The one-time "Send me the sign-in link" button."""
    return button(lang, key, "onboarding_start", onboarding_id=onboarding_id)


def retry_button(lang: str, onboarding_id: str) -> dict[str, str]:
    """A one-time "Retry menu export" button with a fresh request id."""
    return button(
        lang,
        "onboarding.retry_button",
        "menu_export_retry",
        onboarding_id=onboarding_id,
        request_id=secrets.token_urlsafe(8),
    )


def say_failing(dispatcher: CollectingDispatcher, turn: Turn, failing: list[dict]) -> None:
    """Each failing criterion with its fix, one line each."""
    lines = [
        render(turn.lang, "onboarding.failing", name=f.get("name"), problem=f.get("problem"),
               fix=f.get("fix"))
        for f in failing
    ]  # fmt: skip
    dispatcher.utter_message(text="\n".join(lines))


def report(dispatcher: CollectingDispatcher, turn: Turn, view: dict[str, Any]) -> None:
    """Say where the onboarding stands and offer its next step."""
    lang = turn.lang
    state = str(view.get("state") or "")
    provider = str(view.get("provider") or "")
    onboarding_id = str(view.get("onboarding_id") or "")
    stores = [str(s.get("name")) for s in view.get("stores") or []]
    linked = [f"{s.get('location')} / {s.get('brand')}" for s in view.get("linked") or []]
    if state in ("ready", "pairing"):
        _report_pairing(dispatcher, turn, view)
    elif state == "choose_brand":
        failing = list(view.get("failing") or [])
        if failing:
            say(dispatcher, turn, "onboarding.store_id_failing", provider=provider,
                count=len(failing))  # fmt: skip
            say_failing(dispatcher, turn, failing)
        active = [s for s in view.get("stores") or [] if s.get("active")]
        if not active:
            say(dispatcher, turn, "onboarding.no_store", provider=provider)
            return
        brands = join_names(lang, list(view.get("brands") or []), "and")
        buttons = [
            {"title": render(lang, "onboarding.merge_button", brands=brands),
             "payload": _payload("onboarding_brand", onboarding_id=onboarding_id,
                                 brand_mode="merge")},
            {"title": render(lang, "onboarding.new_button"),
             "payload": _payload("onboarding_brand", onboarding_id=onboarding_id,
                                 brand_mode="new")},
        ]  # fmt: skip
        say(dispatcher, turn, "onboarding.choose_brand", buttons=buttons, provider=provider,
            brands=brands, count=len(active))  # fmt: skip
    elif state == "choose_stores":
        active = [s for s in view.get("stores") or [] if s.get("active")]
        buttons = [
            {"title": render(lang, "onboarding.store_button", name=s.get("name"), ref=s.get("ref")),
             "payload": _payload("onboarding_stores", onboarding_id=onboarding_id,
                                 stores=str(s.get("ref")))}
            for s in active
        ]  # fmt: skip
        if len(active) > 1:
            buttons.append(
                {"title": render(lang, "onboarding.all_button", count=len(active)),
                 "payload": _payload("onboarding_stores", onboarding_id=onboarding_id,
                                     stores="all")}
            )  # fmt: skip
        say(dispatcher, turn, "onboarding.choose_stores", buttons=buttons, provider=provider,
            count=len(active))  # fmt: skip
    elif state == "waiting_qa":
        say(dispatcher, turn, "onboarding.waiting_qa", provider=provider,
            stores=join_names(lang, linked or stores, "and"), count=len(linked) or 1)  # fmt: skip
    elif state == "passed_qa":
        say(dispatcher, turn, "onboarding.passed_qa", provider=provider,
            stores=join_names(lang, linked, "and"))  # fmt: skip
    elif state == "alert":
        alert = view.get("alert") or {}
        say(dispatcher, turn, "onboarding.alert", buttons=[retry_button(lang, onboarding_id)],
            provider=provider, name=alert.get("name") or "",
            stores=join_names(lang, list(alert.get("stores") or []), "and"),
            fix=alert.get("fix") or "")  # fmt: skip


def _report_pairing(dispatcher: CollectingDispatcher, turn: Turn, view: dict[str, Any]) -> None:
    lang = turn.lang
    provider = str(view.get("provider") or "")
    onboarding_id = str(view.get("onboarding_id") or "")
    pairing = view.get("pairing") or {}
    state, outcome = str(pairing.get("state") or ""), str(pairing.get("outcome") or "")
    new_link = [start_button(lang, onboarding_id, "onboarding.new_link_button")]
    if not pairing:
        say(dispatcher, turn, "onboarding.eligible", buttons=[start_button(lang, onboarding_id)],
            provider=provider, location=view.get("location") or "",
            criteria=join_names(lang, list(view.get("criteria") or []), "and"))  # fmt: skip
    elif outcome == "invalid_credentials":
        say(dispatcher, turn, "onboarding.invalid_credentials", buttons=new_link, provider=provider)
    elif state == "expired" or outcome in ("expired", "superseded"):
        say(dispatcher, turn, "onboarding.expired", buttons=new_link)
    elif outcome == "locked" or state == "locked":
        say(dispatcher, turn, "onboarding.locked", provider=provider, minutes=15)
    elif outcome == "code_rejected":
        say(dispatcher, turn, "onboarding.code_rejected", provider=provider)
    elif outcome == "needs_code" or state == "awaiting_code":
        say(dispatcher, turn, "onboarding.needs_code", provider=provider)
    elif outcome == "provider_error" or state == "failed":
        say(dispatcher, turn, "onboarding.provider_error", buttons=new_link, provider=provider)
    else:
        say(dispatcher, turn, "onboarding.waiting_sign_in", provider=provider,
            minutes=minutes_until(pairing.get("expires_at")))  # fmt: skip


def say_link(dispatcher: CollectingDispatcher, turn: Turn, view: dict[str, Any]) -> None:
    """The one-time sign-in link, how long it lasts, and where (not) to type the password."""
    pairing = view.get("pairing") or {}
    say(dispatcher, turn, "onboarding.link", provider=view.get("provider") or "",
        url=view.get("url") or "", minutes=minutes_until(pairing.get("expires_at")),
        asks_code=bool(pairing.get("asks_code")))  # fmt: skip


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'), ensure_ascii=False)}"
