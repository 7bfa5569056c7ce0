"""SMS conversation ids, one convention for the gateway and the platform.

A known user texting from a phone talks in the conversation ``sms:<user id>:<E.164
digits>`` (e.g. ``sms:4:15550000001``): the gateway's SMS channel names it for each
inbound text, and the platform moves a handoff there when the user asks to be called
back by SMS. Phones shown to a user are masked down to their last four digits.
"""

from __future__ import annotations

import re

SMS_CHANNEL = "sms"
_NON_DIGITS = re.compile(r"[^0-9]")


def sms_conversation_id(user_id: int, phone: str) -> str:
    """``sms:<user id>:<E.164 digits>`` for ``user_id`` texting from ``phone``.

    >>> sms_conversation_id(4, "+1 555 000 0001")
    'sms:4:15550000001'
    """
    return f"{SMS_CHANNEL}:{int(user_id)}:{_NON_DIGITS.sub('', phone)}"


def masked_phone(phone: str) -> str:
    """A phone as a user may see it in a chat: only its last four digits.

    >>> masked_phone("+15550000001")
    '•••• 0001'
    """
    return f"•••• {_NON_DIGITS.sub('', phone)[-4:]}"
