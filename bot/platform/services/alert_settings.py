"""A user's own alert choices: SMS and e-mail on or off (docs/alerts-contract.md, chat parts).

Each user manages their own alerts: every function takes the caller and only ever reads
or changes that user's row. Turning SMS on needs a verified phone that has not texted
STOP; a refusal changes nothing. Each change is an audit entry (``alert_settings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.platform.models import User
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import ServiceError
from bot.platform.services.sms_opt_outs import InvalidPhone, is_opted_out

AUDIT_ACTION = "alert_settings"


class NoVerifiedPhone(ServiceError):
    """SMS alerts asked for, but the user has no verified phone to text."""

    code = "no_verified_phone"


class SmsStopped(ServiceError):
    """SMS alerts asked for, but the user's number texted STOP (START must come first)."""

    code = "sms_stopped"


SETTINGS_REFUSALS: tuple[type[ServiceError], ...] = (NoVerifiedPhone, SmsStopped)
"""The refusals of :func:`update_alert_settings` (409 in the API)."""


@dataclass(frozen=True)
class AlertSettings:
    """What alerts a user gets, and what stands in the way of SMS ones.

    Attributes:
        sms: SMS alerts on.
        email: E-mail alerts on.
        phone_verified: The user has a verified phone (SMS alerts are possible).
        sms_stopped: That phone texted STOP (and not START since): no SMS reaches it.
        quiet_start: Start of quiet hours, local "HH:MM", or None.
        quiet_end: End of quiet hours, local "HH:MM", or None.
        changed: What the last update changed (``"sms"``, ``"email"``), in that order.
    """

    sms: bool
    email: bool
    phone_verified: bool
    sms_stopped: bool
    quiet_start: str | None
    quiet_end: str | None
    changed: list[str] = field(default_factory=list)


def alert_settings(session: Session, user: User) -> AlertSettings:
    """The caller's own alert choices."""
    return _view(session, user)


def update_alert_settings(
    session: Session,
    user: User,
    *,
    sms: bool | None = None,
    email: bool | None = None,
    channel: str | None = None,
) -> AlertSettings:
    """Turn the caller's SMS and/or e-mail alerts on or off, and commit.

    ``None`` leaves a channel as it is. Setting a channel to what it already is changes
    nothing (``changed`` is empty and no audit entry is written).

    Args:
        session: The request's session (``user`` belongs to it).
        user: The caller: the only user whose alerts change.
        sms: SMS alerts on (True) or off (False).
        email: E-mail alerts on (True) or off (False).
        channel: The chat channel the change came from (recorded in the audit entry).

    Returns:
        The settings after the change, with ``changed``.

    Raises:
        NoVerifiedPhone: ``sms=True`` without a verified phone; nothing changed.
        SmsStopped: ``sms=True`` for a number that texted STOP; nothing changed.
    """
    # PostgreSQL: one change at a time per user, made on the row as it is now.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user)
    if sms:
        if not _phone_verified(user):
            raise NoVerifiedPhone()
        if _sms_stopped(session, user):
            raise SmsStopped()
    wanted = {"sms": sms, "email": email}
    current = {"sms": user.alert_sms, "email": user.alert_email}
    changed = [key for key, value in wanted.items() if value is not None and value != current[key]]
    if not changed:
        session.rollback()  # release the lock; nothing to write
        return _view(session, user)
    if "sms" in changed:
        user.alert_sms = bool(sms)
    if "email" in changed:
        user.alert_email = bool(email)
    detail: dict[str, object] = {"changed": {key: wanted[key] for key in changed}}
    if channel:
        detail["channel"] = channel
    record_audit(
        session,
        organization_id=user.organization_id,
        user_id=user.id,
        action=AUDIT_ACTION,
        detail=detail,
    )
    session.commit()
    return _view(session, user, changed)


def _view(session: Session, user: User, changed: list[str] | None = None) -> AlertSettings:
    return AlertSettings(
        sms=user.alert_sms,
        email=user.alert_email,
        phone_verified=_phone_verified(user),
        sms_stopped=_sms_stopped(session, user),
        quiet_start=user.quiet_start,
        quiet_end=user.quiet_end,
        changed=list(changed or []),
    )


def _phone_verified(user: User) -> bool:
    return bool(user.phone and user.phone_verified)


def _sms_stopped(session: Session, user: User) -> bool:
    if not user.phone:
        return False
    try:
        return is_opted_out(session, user.phone)
    except InvalidPhone:  # a stored number that is no phone number: nothing can stop it
        return False
