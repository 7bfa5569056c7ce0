"""Telegram ``Update`` JSON as the Bot API sends it: text messages, button presses, contacts.

For tests and local demos (push them to :class:`~bot.devtools.fake_telegram.FakeTelegramServer`
for polling, or POST them to the gateway's webhook)::

    text_update(1001, "/start AbC123", from_id=42, language_code="fr")
    callback_update(1002, "b_Xq3-9aZk_P", from_id=42)
    contact_update(1003, "+15550000001", from_id=42)

In a private chat the chat id is the sender's id; pass ``chat_id`` (negative) and
``chat_type="group"`` for a group.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
_message_ids = itertools.count(1)


def next_update_id() -> int:
    """A fresh update id (increasing within a process)."""
    return next(_update_ids)


def telegram_user(
    user_id: int, first_name: str = "Test", language_code: str | None = "en"
) -> dict[str, Any]:
    """A Telegram ``User`` (a person, not a bot)."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def chat(chat_id: int, chat_type: str = "private", first_name: str = "Test") -> dict[str, Any]:
    """A Telegram ``Chat``."""
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": chat_type, "title": "Test group"}


def message(
    from_id: int,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    language_code: str | None = "en",
    first_name: str = "Test",
    **content: Any,
) -> dict[str, Any]:
    """A Telegram ``Message`` sent by ``from_id`` with ``content`` (``text=...``, ...)."""
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(from_id if chat_id is None else chat_id, chat_type, first_name),
        "from": telegram_user(from_id, first_name, language_code),
        **content,
    }


def text_update(update_id: int | None, text: str, *, from_id: int, **options: Any) -> dict:
    """An update with a text message (a leading ``/command`` gets its ``bot_command``
    entity, as Telegram marks it).

    Args:
        update_id: the update's id (None: a fresh one).
        text: what the user typed.
        from_id: the sender's Telegram user id.
        options: ``chat_id``, ``chat_type``, ``language_code``, ``first_name``.
    """
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        length = len(text.split(" ", 1)[0])
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return _update(update_id, "message", message(from_id, **options, **content))


def contact_update(
    update_id: int | None,
    phone: str,
    *,
    from_id: int,
    contact_user_id: int | None = None,
    **options: Any,
) -> dict:
    """An update where ``from_id`` shares a contact (their own unless ``contact_user_id``
    names someone else; None for a contact that is not a Telegram user)."""
    contact: dict[str, Any] = {"phone_number": phone, "first_name": "Contact"}
    owner = from_id if contact_user_id is None else contact_user_id
    if owner:
        contact["user_id"] = owner
    return _update(update_id, "message", message(from_id, **options, contact=contact))


def callback_update(
    update_id: int | None,
    data: str,
    *,
    from_id: int,
    chat_id: int | None = None,
    chat_type: str = "private",
    language_code: str | None = "en",
) -> dict:
    """An update for a press on an inline-keyboard button carrying ``data``."""
    shown = message(
        7_000_000_001,
        chat_id=from_id if chat_id is None else chat_id,
        chat_type=chat_type,
        text="Choose:",
    )
    shown["from"] = {"id": 7_000_000_001, "is_bot": True, "first_name": "Merchant Assistant"}
    query = {
        "id": str(next_update_id()),
        "from": telegram_user(from_id, language_code=language_code),
        "chat_instance": f"ci-{from_id}",
        "message": shown,
        "data": data,
    }
    return _update(update_id, "callback_query", query)


def _update(update_id: int | None, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": next_update_id() if update_id is None else update_id, kind: body}
