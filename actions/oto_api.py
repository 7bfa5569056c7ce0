"""The OTO endpoints of the platform API, as the OTO actions call them, and what they share.

The platform checks the identity, the organization and the permission on every call;
the retailer ID and token never pass through here (they are typed on the one-time page).
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import quote

from rasa_sdk.executor import CollectingDispatcher

from actions.base import say
from actions.catalog import join_names, render
from actions.status_render import who_can
from actions.turn import Turn
from bot.platform_client import PlatformClient, PlatformError

SETTINGS_PATH = "/api/v1/oto"
CURRENCY_PATH = "/api/v1/oto/currencies/{code}"
SET_CURRENCY_PATH = "/api/v1/oto/currency"
BRANCH_PATH = "/api/v1/oto/branches/active"
SETUPS_PATH = "/api/v1/oto/setups"
CURRENT_SETUP_PATH = "/api/v1/oto/setups/current"

_THREE_LETTERS = re.compile(r"(?<![\w-])([A-Za-z]{3})(?![\w-])")
_AFTER_TO = re.compile(
    r"\b(?:to|in|into|en|a|à|y|es|est|is|=|:)\s+([A-Za-z]{3})\s*[.!?]*\s*$", re.IGNORECASE
)


async def oto_settings(client: PlatformClient, token: str | None, lang: str) -> dict[str, Any]:
    """The organization's OTO settings: ``set_up``, ``currency``, ``branches``, ``may_manage``."""
    return dict(await client.get(SETTINGS_PATH, token, {"lang": lang}) or {})


async def currency_info(
    client: PlatformClient, token: str | None, code: str, lang: str
) -> dict[str, Any] | None:
    """``{"code", "name"}`` of an ISO 4217 code, or ``None`` when it is not one."""
    try:
        path = CURRENCY_PATH.format(code=quote(code, safe=""))
        return dict(await client.get(path, token, {"lang": lang}) or {})
    except PlatformError as exc:
        if exc.code == "invalid_currency":
            return None
        raise


def new_request_id() -> str:
    """The id of one Confirm button (the platform makes its change once per id)."""
    return secrets.token_urlsafe(8)


def payload(intent: str, **entities: str) -> str:
    """``/intent{...}`` with ``entities`` (or ``/intent``)."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"), ensure_ascii=False)


def button(lang: str, key: str, intent: str, **entities: str) -> dict[str, str]:
    """A button titled with the catalog text ``key`` (``{{ branch }}``: the location)."""
    title = render(lang, key, branch=entities.get("location", ""))
    return {"title": title, "payload": payload(intent, **entities)}


def currency_of(turn: Turn) -> str | None:
    """The currency code the message names: the entity, else an upper-case three-letter
    word (not "OTO"), else the three letters at the end ("… to usd")."""
    value = turn.entity("currency")
    if value:
        return value.strip().upper()
    text = turn.text or ""
    if text.startswith("/"):
        return None
    upper = [w for w in _THREE_LETTERS.findall(text) if w.isupper() and w != "OTO"]
    if upper:
        return upper[-1]
    found = _AFTER_TO.search(text)
    if found and found.group(1).upper() != "OTO":
        return found.group(1).upper()
    return None


def location_of(turn: Turn, branches: list[dict[str, Any]]) -> str | None:
    """The location the message names: the entity, else a branch name found in the text."""
    value = turn.entity("location")
    if value:
        return value.strip()
    text = (turn.text or "").casefold()
    for branch in branches:
        name = str(branch.get("location") or "")
        if name and re.search(rf"\b{re.escape(name.casefold())}\b", text):
            return name
    return None


def say_not_allowed(dispatcher: CollectingDispatcher, turn: Turn, names: list[str]) -> None:
    """Only those who may manage integrations change OTO's settings: say who can."""
    names = [str(name) for name in names if name]
    say(dispatcher, turn, "oto.not_allowed", who=who_can(turn.lang, names), count=len(names))


def branch_lists(lang: str, branches: list[dict[str, Any]]) -> tuple[str, str]:
    """The active and the inactive branches' names, joined for a sentence."""
    active = [str(b["location"]) for b in branches if b.get("active")]
    inactive = [str(b["location"]) for b in branches if not b.get("active")]
    return join_names(lang, active, "and"), join_names(lang, inactive, "and")
