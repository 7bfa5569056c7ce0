"""Turning the platform's activation answers into replies in the user's language.

The list of locations that can be activated (one button each, and "All N locations"),
the reason for every location that cannot be activated (with a Reconnect button where
reconnecting is the fix), the warning before activating, and one confirmation per
location after it.
"""

from __future__ import annotations

import json
from typing import Any

from actions.activation_api import format_links
from actions.catalog import join_names, render
from actions.status_render import Reply, failure_key, reconnect_button, support_button

CONFIRM_INTENT = "activation_confirm"


def store_of(link: dict[str, Any]) -> str:
    """``"Riverside / Taco Town"``."""
    return f"{link.get('location') or ''} / {link.get('brand') or ''}"


def payload(intent: str, **entities: str) -> str:
    """``/intent{"links":"12"}`` (``/intent`` without entities)."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"))


def _by_provider(links: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        groups.setdefault(str(link.get("provider") or ""), []).append(link)
    return groups


def choice_reply(lang: str, provider: str | None, links: list[dict[str, Any]]) -> Reply:
    """The locations that can be activated, as buttons (and "All N locations")."""
    several = len(_by_provider(links)) > 1 or not provider
    buttons = [
        {
            "title": f"{link['provider']} — {store_of(link)}" if several else store_of(link),
            "payload": payload("activation_select", links=str(link["link_id"])),
        }
        for link in links
    ]
    if len(links) > 1:
        every = format_links([int(link["link_id"]) for link in links])
        buttons.append(
            {
                "title": render(lang, "activation.all_button", count=len(links)),
                "payload": payload("activation_select", links=every),
            }
        )
    text = render(lang, "activation.choose", provider=provider or "", count=len(links))
    return Reply(text, buttons)


def blocked_line(lang: str, link: dict[str, Any], stores: str | None = None) -> str:
    """Why one location (or several of one account: ``stores``) cannot be activated."""
    values = {
        "stores": stores or store_of(link),
        "label": str(link.get("account") or ""),
        "provider": str(link.get("provider") or ""),
    }
    reason = link.get("reason")
    if reason == "disconnected":
        problem = str(link.get("problem") or "").rstrip(".")
        return render(
            lang,
            "activation.blocked.disconnected",
            problem=problem,
            reconnect=link.get("fix") == "reconnect",
            **values,
        )
    if reason == "already_active":
        return render(lang, "activation.blocked.already_active", **values)
    return render(lang, "activation.blocked.awaiting_qa", **values)


def blocked_reply(lang: str, blocked: list[dict[str, Any]]) -> Reply:
    """One line per account (its stores together), with Reconnect where that fixes it."""
    by_account: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for link in blocked:
        key = (str(link.get("account_id")), str(link.get("reason")))
        by_account.setdefault(key, []).append(link)
    lines: list[str] = []
    buttons: list[dict[str, str]] = []
    for (account_id, _), links in by_account.items():
        stores = ", ".join(store_of(link) for link in links)
        lines.append("- " + blocked_line(lang, links[0], stores))
        if links[0].get("reason") == "disconnected" and links[0].get("fix") == "reconnect":
            account = {
                "account_id": account_id,
                "label": links[0].get("account"),
                "provider": links[0].get("provider"),
            }
            if all(
                button["payload"] != reconnect_button(lang, account)["payload"]
                for button in buttons
            ):
                buttons.append(reconnect_button(lang, account))
    header = render(lang, "activation.blocked_header", count=len(blocked))
    return Reply("\n".join([header, *lines]), buttons)


def active_reply(lang: str, active: list[dict[str, Any]]) -> Reply:
    """ "<provider> is already active at <stores>": one line per provider."""
    lines = [
        render(
            lang,
            "activation.already_active",
            provider=provider,
            stores=", ".join(store_of(link) for link in links),
        )
        for provider, links in _by_provider(active).items()
    ]
    return Reply("\n".join(lines))


def warning_reply(lang: str, links: list[dict[str, Any]], request_id: str) -> Reply:
    """The warning before activating, with Confirm (one-time) and Cancel."""
    lines = []
    for provider, group in _by_provider(links).items():
        lines.append(
            render(
                lang,
                "activation.warning",
                provider=provider,
                stores=join_names(lang, [store_of(link) for link in group], "and"),
                count=len(group),
            )
        )
    lines.append(render(lang, "activation.confirm_question", count=len(links)))
    every = format_links([int(link["link_id"]) for link in links])
    buttons = [
        {
            "title": render(lang, "activation.confirm_button"),
            "payload": payload(CONFIRM_INTENT, links=every, request_id=request_id),
        },
        {"title": render(lang, "activation.cancel_button"), "payload": payload("activation_abort")},
    ]
    return Reply("\n\n".join(lines), buttons)


def outcome_reply(
    lang: str, result: dict[str, Any], support_phone: str, support_button_shown: bool = True
) -> Reply:
    """The answer for one location after Confirm.

    A failure gives our support number and, unless the conversation is being handed to
    a person (``support_button_shown`` false), the "Contact support" button.
    """
    link = result.get("link") or {}
    values = {"provider": str(link.get("provider") or ""), "store": store_of(link)}
    outcome = result.get("outcome")
    if outcome == "activated":
        return Reply(render(lang, "activation.activated", **values))
    if outcome == "already_active":
        return Reply(render(lang, "activation.was_active", **values))
    if outcome == "failed":
        text = render(
            lang,
            failure_key("activation", result.get("error")),
            support_phone=support_phone,
            button=support_button_shown,
            **values,
        )
        return Reply(text, [support_button(lang)] if support_button_shown else [])
    if outcome == "in_progress":
        return Reply(render(lang, "activation.in_progress", **values))
    return Reply(blocked_line(lang, link))


def others_reply(lang: str) -> Reply:
    """ "Activate other locations"."""
    button = {
        "title": render(lang, "activation.other_button"),
        "payload": payload("activate_integration"),
    }
    return Reply(render(lang, "activation.more"), [button])
