"""Turning the platform's integration-status answer into replies in the user's language.

One reply per broken account (problem, stores, next step, and its buttons: Reconnect
where the user may reconnect, "I've completed these steps" / "I'll do this later" under
provider-portal steps the user may have checked, "Notify <names>" where the user may
not act), one line for every account that works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from actions.catalog import join_names, render
from bot.platform_client import PROVIDER_NOT_RESPONDING

MAX_STORES = 6


@dataclass(frozen=True)
class Reply:
    """One bot message: text and (few) buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def account_name(account: dict[str, Any]) -> str:
    """``"Uber Eats — main"``; the provider is prefixed when the label does not name it."""
    label = str(account.get("label") or "")
    provider = str(account.get("provider") or "")
    if not label:
        return provider
    if provider and provider.lower() not in label.lower():
        return f"{provider} — {label}"
    return label


def store_list(lang: str, stores: list[dict[str, Any]]) -> str:
    """``"Downtown / Burger Barn, Airport / Burger Barn"`` (shortened past a few)."""
    names = [
        " / ".join(str(part) for part in (s.get("location"), s.get("brand")) if part)
        for s in stores
    ]
    if len(names) <= MAX_STORES:
        return ", ".join(names)
    return render(
        lang,
        "status.more_stores",
        shown=", ".join(names[:MAX_STORES]),
        count=len(names) - MAX_STORES,
    )


def _day(value: Any) -> str:
    """``"2025-01-31T08:00:00Z"`` → ``"2025-01-31"``."""
    return str(value)[:10] if value else ""


def who_can(lang: str, names: list[str]) -> str:
    """The people who may do something, or a description of them when none are listed."""
    return join_names(lang, list(names)) or render(lang, "status.who_anyone")


def payload(intent: str, account_id: Any = None) -> str:
    """``/intent{"account_id":"…"}`` (or ``/intent`` without an account)."""
    if account_id is None:
        return f"/{intent}"
    return f"/{intent}" + json.dumps({"account_id": str(account_id)}, separators=(",", ":"))


def reconnect_button(lang: str, account: dict[str, Any]) -> dict[str, str]:
    """The "Reconnect <label>" button for one account."""
    return {
        "title": render(lang, "status.button", label=account_name(account)),
        "payload": payload("repair_reconnect", account.get("account_id")),
    }


def new_link_button(lang: str, account_id: Any) -> dict[str, str]:
    """ "Send a new link": a fresh pairing for the same account."""
    return {
        "title": render(lang, "buttons.new_link"),
        "payload": payload("repair_reconnect", account_id),
    }


def steps_buttons(lang: str, account_id: Any) -> list[dict[str, str]]:
    """ "I've completed these steps" and "I'll do this later" for one account."""
    return [
        {
            "title": render(lang, "buttons.steps_done"),
            "payload": payload("repair_steps_done", account_id),
        },
        {"title": render(lang, "buttons.later"), "payload": payload("repair_later", account_id)},
    ]


def try_again_button(lang: str, account_id: Any) -> dict[str, str]:
    """ "Try again": the check after "I've completed these steps", once more."""
    return {
        "title": render(lang, "buttons.try_again"),
        "payload": payload("repair_steps_done", account_id),
    }


def notify_button(lang: str, account_id: Any, names: list[str]) -> dict[str, str]:
    """ "Notify <names>": ask the people who may fix an account to do it."""
    return {
        "title": render(lang, "buttons.notify", names=join_names(lang, names, "and")),
        "payload": payload("repair_notify_managers", account_id),
    }


def support_button(lang: str) -> dict[str, str]:
    """ "Contact support"."""
    return {"title": render(lang, "buttons.support"), "payload": payload("contact_support")}


def failure_key(feature: str, error: str | None) -> str:
    """The text of a provider's failure: ``<feature>.not_responding`` when it did not
    answer in time (``error`` ``provider_not_responding``), else ``<feature>.failed``."""
    return f"{feature}.not_responding" if error == PROVIDER_NOT_RESPONDING else f"{feature}.failed"


def render_account(lang: str, account: dict[str, Any], with_button: bool = True) -> Reply:
    """What is wrong with one broken account, where, and what to do next.

    Args:
        lang: the reply language.
        account: one ``broken`` entry of the status answer.
        with_button: whether to offer the account's buttons (once per account, which
            may have several entries, one per error).
    """
    step = account.get("next_step") or {}
    account_id = account.get("account_id")
    names = [str(name) for name in step.get("who_can") or [] if name]
    parts = [
        render(
            lang,
            "status.account",
            name=account_name(account),
            problem=account.get("problem") or "",
            since=_day(account.get("since")),
            stores=store_list(lang, account.get("stores") or []),
        )
    ]
    requested = [str(name) for name in account.get("requested_by") or [] if name]
    if requested:
        parts.append(render(lang, "status.requested_by", names=join_names(lang, requested, "and")))
    if step.get("summary"):
        parts.append(render(lang, "status.next_step", summary=step["summary"]))
    buttons: list[dict[str, str]] = []
    who = who_can(lang, names)
    if step.get("kind") == "portal_steps":
        if step.get("steps"):
            parts.append(render(lang, "status.steps", steps=step["steps"]))
        if step.get("contact"):
            parts.append(render(lang, "status.contact", contact=step["contact"]))
        if step.get("guide_stale") and step.get("guide_last_verified"):
            parts.append(render(lang, "status.stale", date=_day(step["guide_last_verified"])))
        if step.get("check_allowed", False):
            if with_button:
                buttons.extend(steps_buttons(lang, account_id))
        else:
            parts.append(render(lang, "status.check_not_allowed", who=who))
    elif step.get("allowed"):
        if with_button:
            buttons.append(reconnect_button(lang, account))
    else:
        parts.append(
            render(
                lang,
                "status.not_allowed",
                label=account_name(account),
                who=who,
                notify=bool(names),
            )
        )
        if names and with_button:
            buttons.append(notify_button(lang, account_id, names))
    return Reply("\n".join(parts), buttons)


def _working_item(lang: str, account: dict[str, Any]) -> str:
    return render(
        lang, "status.working_item", name=account_name(account), state=account.get("state")
    )


def render_status(lang: str, status: dict[str, Any]) -> list[Reply]:
    """Every reply for one integration-status answer (filters are canonically spelled)."""
    filters = status.get("filters") or {}
    scope = render(
        lang,
        "status.scope",
        provider=filters.get("provider") or "",
        location=filters.get("location") or "",
    )
    broken = status.get("broken") or []
    working = status.get("working") or []
    items = ", ".join(_working_item(lang, account) for account in working)
    if not broken and not working:
        return [Reply(render(lang, "status.none", scope=scope))]
    if not broken:
        return [Reply(render(lang, "status.all_working", scope=scope, items=items))]
    replies = [Reply(render(lang, "status.header", count=len(broken), scope=scope))]
    offered: set[str] = set()
    for account in broken:
        account_id = str(account.get("account_id"))
        replies.append(render_account(lang, account, with_button=account_id not in offered))
        offered.add(account_id)
    if working:
        replies.append(Reply(render(lang, "status.working", items=items)))
    return replies
