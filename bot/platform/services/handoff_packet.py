"""The packet an agent reads before answering: who is asking, what they were doing, and
what is broken — so the user never has to say it all again.

Built when the handoff opens (``docs/handoff-contract.md``): the organization, the user
(name, role), the channel and language, the issue under way (from the audit log of the
last 24 hours: the provider, account or order, stores, error type, and each step tried
with its result), the organization's broken accounts now, and the recent messages. Every
message text is redacted (:mod:`bot.platform.services.redaction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import AuditLog, ProviderAccount, User
from bot.platform.providers.catalog import Catalog, get_catalog
from bot.platform.services.redaction import redact
from bot.platform.services.status import integration_status

ISSUE_WINDOW = timedelta(hours=24)
MAX_RECENT_MESSAGES = 20
MAX_MESSAGE_CHARS = 1000
# What an audit entry is about, in the order looked for: the first key its detail has.
_SUBJECT_KEYS = ("account_id", "order", "onboarding_id", "setup_id")
_OWN_ACTIONS = "handoff."  # the handoff's own entries are no issue


def build_packet(
    session: Session,
    user: User,
    *,
    channel: str,
    language: str,
    transcript: Sequence[dict[str, str]] = (),
    now: datetime,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """The packet of a handoff opened now by ``user`` (JSON-ready; message texts redacted).

    Args:
        session: An open session.
        user: Who asked (their organization is loaded).
        channel: ``web``, ``telegram`` or ``sms``.
        language: The conversation's language.
        transcript: The last messages, oldest first: ``{"sender": "user"|"bot", "text"}``.
        now: The current time (aware).
        catalog: The provider catalog (the product's by default).
    """
    catalog = catalog or get_catalog()
    return {
        "organization": {"id": user.organization_id, "name": user.organization.name},
        "user": {
            "id": user.id,
            "name": user.name,
            "role": role_of(user),
            "language": user.language,
            "can_manage_integrations": user.can_manage_integrations,
            "can_cancel_orders": user.can_cancel_orders,
        },
        "channel": channel,
        "language": language,
        "issue": issue_under_way(session, user, now=now, catalog=catalog),
        "status": {"broken": _broken(session, user, now)},
        "recent_messages": recent_messages(transcript),
    }


def role_of(user: User) -> str:
    """What the user may do, as an agent reads it."""
    if user.can_manage_integrations and user.can_cancel_orders:
        return "manages integrations, cancels orders"
    if user.can_manage_integrations:
        return "manages integrations"
    if user.can_cancel_orders:
        return "cancels orders"
    return "views status"


def recent_messages(transcript: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The last :data:`MAX_RECENT_MESSAGES` messages, each text redacted and shortened."""
    kept = []
    for message in list(transcript)[-MAX_RECENT_MESSAGES:]:
        sender = "user" if message.get("sender") == "user" else "bot"
        text = redact(str(message.get("text") or ""))[:MAX_MESSAGE_CHARS]
        kept.append({"sender": sender, "text": text})
    return kept


def issue_under_way(
    session: Session, user: User, *, now: datetime, catalog: Catalog
) -> dict[str, Any] | None:
    """What the user was last doing (from the audit log of the last 24 hours), or ``None``.

    The subject is the account (or order, onboarding, OTO setup) of the user's newest
    audit entry that has one; the steps are every entry of the organization about that
    subject in the window, oldest first, with their results.
    """
    since = now - ISSUE_WINDOW
    entries = session.scalars(
        select(AuditLog)
        .where(AuditLog.organization_id == user.organization_id, AuditLog.created_at >= since)
        .order_by(AuditLog.created_at, AuditLog.id)
    ).all()
    entries = [entry for entry in entries if not entry.action.startswith(_OWN_ACTIONS)]
    subject = next(
        (_subject(entry) for entry in reversed(entries) if entry.user_id == user.id), None
    )
    if subject is None:
        return None
    about = [entry for entry in entries if _subject(entry) == subject]
    latest = about[-1].detail
    issue: dict[str, Any] = {
        "kind": subject[0].removesuffix("_id"),
        subject[0]: subject[1],
        "provider": _provider_name(catalog, latest.get("provider")),
        "stores": latest.get("stores") or ([latest["store"]] if latest.get("store") else []),
        "error_type": latest.get("error_type"),
        "steps": [_step(entry) for entry in about],
    }
    if subject[0] == "account_id":
        account = session.get(ProviderAccount, subject[1])
        if account is not None and account.organization_id == user.organization_id:
            info = catalog.provider(account.provider_key)
            issue["provider"] = info.name if info else account.provider_key
            issue["account"] = account.label
            errors = sorted({link.error_type for link in account.links if link.error_type})
            issue["error_type"] = errors[0] if errors else issue["error_type"]
            issue["error_types"] = errors
    return issue


def _subject(entry: AuditLog) -> tuple[str, str] | None:
    for key in _SUBJECT_KEYS:
        value = (entry.detail or {}).get(key)
        if value not in (None, ""):
            return key, str(value)
    return None


def _step(entry: AuditLog) -> dict[str, Any]:
    detail = entry.detail or {}
    result = next((detail[key] for key in ("result", "outcome", "error") if detail.get(key)), None)
    step: dict[str, Any] = {"action": entry.action, "result": result}
    for key in ("via", "error_type", "attempts_left"):
        if detail.get(key) is not None:
            step[key] = detail[key]
    step["at"] = entry.created_at.isoformat()
    return step


def _provider_name(catalog: Catalog, value: object) -> str | None:
    if not value:
        return None
    info = catalog.provider(str(value)) or catalog.find_provider(str(value))
    return info.name if info else str(value)


def _broken(session: Session, user: User, now: datetime) -> list[dict[str, Any]]:
    status = integration_status(session, user, lang="en", now=now)
    return [
        {
            "account_id": broken.account_id,
            "provider": broken.provider,
            "account": broken.label,
            "error_type": broken.error_type,
            "error_case": broken.error_case,
            "since": broken.since.isoformat(),
            "stores": [f"{store.location} / {store.brand}" for store in broken.stores],
        }
        for broken in status.broken
    ]
