"""Linking Telegram accounts to users: one-time link codes, shared contacts, unlinking.

A link code is 12 URL-safe characters (``[A-Za-z0-9_-]``, valid in Telegram's ``/start``
parameter), kept only as a SHA-256 digest, valid ``TELEGRAM_LINK_TTL_SECONDS`` and used
once; a new code replaces the user's earlier unused ones. A Telegram account belongs to
one user and a user has one Telegram account: linking replaces any previous link of
either. Links and unlinks are audit-logged (``telegram.link``, ``telegram.unlink``; never
the code) and committed here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.config import Settings
from bot.platform.models import TelegramLink, TelegramLinkCode, User, utcnow
from bot.platform.secrets_box import sha256_hex
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import ServiceError
from bot.platform.services.sms_opt_outs import user_by_verified_phone
from bot.platform.services.users import get_user

CODE_CHARS = 12
_CODE = re.compile(rf"[A-Za-z0-9_-]{{{CODE_CHARS}}}")
_ATTEMPTS = 3  # a link that loses a race on a unique column is tried again

T = TypeVar("T")


class InvalidCode(ServiceError):
    """The link code is unknown, expired or already used (one answer for all three)."""

    code = "invalid_code"


class UnknownPhone(ServiceError):
    """The phone is no user's verified phone."""

    code = "unknown_phone"


@dataclass(frozen=True)
class LinkCode:
    """A new link code (the only place it exists in clear) and when it stops working."""

    code: str
    expires_at: datetime


def new_link_code(
    session: Session, settings: Settings, user: User, *, now: datetime | None = None
) -> LinkCode:
    """Mint a one-time code that links a Telegram account to ``user``, and commit.

    The user's earlier unused codes stop working; expired codes are forgotten.
    """
    now = now or utcnow()
    session.execute(delete(TelegramLinkCode).where(TelegramLinkCode.expires_at <= now))
    session.execute(
        delete(TelegramLinkCode).where(
            TelegramLinkCode.user_id == user.id, TelegramLinkCode.used_at.is_(None)
        )
    )
    code = secrets.token_urlsafe(9)  # 9 random bytes: exactly 12 URL-safe characters
    expires_at = now + timedelta(seconds=settings.telegram_link_ttl_seconds)
    session.add(
        TelegramLinkCode(
            code_hash=sha256_hex(code), user_id=user.id, created_at=now, expires_at=expires_at
        )
    )
    session.commit()
    return LinkCode(code=code, expires_at=expires_at)


def link_with_code(
    session: Session,
    code: str,
    telegram_user_id: int,
    chat_id: int,
    *,
    now: datetime | None = None,
) -> User:
    """Link the Telegram account to the user the code was minted for; the code is used up.

    Returns:
        The user now linked.

    Raises:
        InvalidCode: The code is unknown, expired or used (nothing changed).
    """
    when = now or utcnow()

    def attempt() -> User:
        user_id = _use_code(session, code, when)
        user = get_user(session, user_id)
        if user is None:  # the code outlived its user: treat it as unknown
            raise InvalidCode()
        _replace_link(session, user, telegram_user_id, chat_id, when, via="code")
        return user

    return _committed(session, attempt)


def link_with_contact(
    session: Session,
    phone: str,
    telegram_user_id: int,
    chat_id: int,
    *,
    now: datetime | None = None,
) -> User:
    """Link the Telegram account to the user whose verified phone the shared contact is.

    The gateway has checked that the contact is the sender's own.

    Returns:
        The user now linked.

    Raises:
        InvalidPhone: ``phone`` is not a phone number.
        UnknownPhone: It is no user's verified phone (nothing changed).
    """
    when = now or utcnow()
    user = user_by_verified_phone(session, phone)
    if user is None:
        raise UnknownPhone()

    def attempt() -> User:
        _replace_link(session, user, telegram_user_id, chat_id, when, via="contact")
        return user

    return _committed(session, attempt)


def linked_user(session: Session, telegram_user_id: int) -> User | None:
    """The user the Telegram account is linked to (organization loaded), if any."""
    statement = (
        select(User)
        .join(TelegramLink, TelegramLink.user_id == User.id)
        .options(joinedload(User.organization))
        .where(TelegramLink.telegram_user_id == telegram_user_id)
    )
    return session.scalar(statement)


def unlink(session: Session, telegram_user_id: int) -> bool:
    """Unlink the Telegram account (audit-logged), and commit.

    Returns:
        True when it was linked, False when there was nothing to unlink.
    """
    link = session.scalar(
        select(TelegramLink).where(TelegramLink.telegram_user_id == telegram_user_id)
    )
    if link is None:
        return False
    _forget(session, link, reason="unlinked")
    session.commit()
    return True


def _use_code(session: Session, code: str, now: datetime) -> int:
    """Mark the code used (once, even under concurrent attempts); its user's id."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidCode()
    row = session.scalar(
        select(TelegramLinkCode).where(TelegramLinkCode.code_hash == sha256_hex(code))
    )
    if row is None or row.used_at is not None or now >= row.expires_at:
        raise InvalidCode()
    used = session.execute(
        update(TelegramLinkCode)
        .where(TelegramLinkCode.id == row.id, TelegramLinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # another request used it first
        raise InvalidCode()
    return row.user_id


def _replace_link(
    session: Session, user: User, telegram_user_id: int, chat_id: int, now: datetime, *, via: str
) -> None:
    """Link the account to ``user``, replacing earlier links of either (audit-logged)."""
    previous = session.scalars(
        select(TelegramLink).where(
            or_(TelegramLink.telegram_user_id == telegram_user_id, TelegramLink.user_id == user.id)
        )
    ).all()
    replaced: dict[str, int] = {}
    for link in previous:
        if link.user_id != user.id:
            replaced["previous_user_id"] = link.user_id
            _forget(session, link, reason="linked_to_another_user")
        else:
            if link.telegram_user_id != telegram_user_id:
                replaced["previous_telegram_user_id"] = link.telegram_user_id
            session.delete(link)
    session.flush()
    session.add(
        TelegramLink(
            telegram_user_id=telegram_user_id, user_id=user.id, chat_id=chat_id, linked_at=now
        )
    )
    session.flush()
    detail = {"telegram_user_id": telegram_user_id, "chat_id": chat_id, "via": via, **replaced}
    record_audit(
        session,
        organization_id=user.organization_id,
        user_id=user.id,
        action="telegram.link",
        detail=detail,
    )


def _forget(session: Session, link: TelegramLink, *, reason: str) -> None:
    """Delete a link, audit-logged in its user's organization."""
    user = session.get(User, link.user_id)
    if user is not None:
        record_audit(
            session,
            organization_id=user.organization_id,
            user_id=user.id,
            action="telegram.unlink",
            detail={"telegram_user_id": link.telegram_user_id, "reason": reason},
        )
    session.delete(link)


def _committed(session: Session, attempt: Callable[[], T]) -> T:
    """Run ``attempt`` and commit; again (from scratch) when it lost a race on a unique
    column; nothing is kept when it raises."""
    for tries_left in range(_ATTEMPTS - 1, -1, -1):
        try:
            result = attempt()
            session.commit()
        except IntegrityError:
            session.rollback()
            if tries_left == 0:
                raise
            continue
        except BaseException:
            session.rollback()
            raise
        return result
    raise AssertionError("unreachable")
