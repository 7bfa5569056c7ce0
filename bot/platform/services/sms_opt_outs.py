"""Phone numbers of SMS senders: E.164 normalisation, the user a verified phone belongs
to, and STOP / START opt-outs (issue 6's alert dispatcher reads the same table)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.platform.models import SmsOptOut, User, utcnow
from bot.platform.services.errors import ServiceError

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SEPARATORS = re.compile(r"[\s().\-]")


class InvalidPhone(ServiceError):
    """The text is not a phone number that can be written in E.164 form."""

    code = "invalid_phone"


def normalize_phone(raw: str) -> str:
    """``raw`` in E.164 form (``+15550000001``).

    Spaces, dots, dashes and parentheses are dropped; a leading ``00`` is the
    international prefix; a number without ``+`` (Telegram sends contacts' numbers
    that way, e.g. ``15550000001``) is taken as already international.

    >>> normalize_phone("1 (555) 000-0001")
    '+15550000001'

    Raises:
        InvalidPhone: Anything else (letters, too short or too long, a leading 0).
    """
    text = _SEPARATORS.sub("", raw.strip()) if isinstance(raw, str) else ""
    if text.startswith("00"):
        text = "+" + text[2:]
    elif not text.startswith("+"):
        text = "+" + text
    if not _E164.fullmatch(text):
        raise InvalidPhone(raw if isinstance(raw, str) else None)
    return text


def user_by_verified_phone(session: Session, phone: str) -> User | None:
    """The user whose **verified** phone is ``phone`` (any accepted form), if any.

    Raises:
        InvalidPhone: ``phone`` is not a phone number.
    """
    wanted = normalize_phone(phone)
    statement = (
        select(User)
        .options(joinedload(User.organization))
        .where(User.phone == wanted, User.phone_verified.is_(True))
    )
    return session.scalar(statement)


def is_opted_out(session: Session, phone: str) -> bool:
    """Whether ``phone`` said STOP (and not START since).

    Raises:
        InvalidPhone: ``phone`` is not a phone number.
    """
    wanted = normalize_phone(phone)
    row = session.scalar(select(SmsOptOut).where(SmsOptOut.phone == wanted))
    return bool(row and row.opted_out)


def set_opt_out(
    session: Session, phone: str, opted_out: bool, *, now: datetime | None = None
) -> str:
    """Record STOP (``opted_out``) or START for ``phone``, and commit.

    Two requests for the same new number at once both succeed: the one that loses the
    race on the unique phone updates the row the other created.

    Returns:
        The phone in E.164 form.

    Raises:
        InvalidPhone: ``phone`` is not a phone number.
    """
    wanted = normalize_phone(phone)
    now = now or utcnow()
    for _attempt in range(3):
        row = session.scalar(select(SmsOptOut).where(SmsOptOut.phone == wanted))
        if row is None:
            session.add(SmsOptOut(phone=wanted, opted_out=opted_out, updated_at=now))
        else:
            row.opted_out, row.updated_at = opted_out, now
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # created meanwhile by another request: update it
            continue
        return wanted
    raise RuntimeError(f"could not record the SMS opt-out of {wanted}")
