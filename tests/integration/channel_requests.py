"""Requests of the channels' internal endpoints, for their tests: demo users, Telegram ids
and chats, minting and using link codes, counting rows."""

from __future__ import annotations

from sqlalchemy import func, select

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
TG_OLIVIA, TG_OTHER = 7001, 7002
CHAT = 7001
GROUP_CHAT = -1001234567890


async def mint_code(client, headers, user_id: int) -> dict:
    """A new Telegram link code of ``user_id`` (201 asserted)."""
    response = await client.post(
        "/internal/telegram/link-codes", json={"user_id": user_id}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def link_code(client, headers, code: str, telegram_user_id: int, chat_id: int = CHAT):
    """Use ``code`` for a Telegram account and chat; the platform's answer."""
    body = {"code": code, "telegram_user_id": telegram_user_id, "chat_id": chat_id}
    return await client.post("/internal/telegram/links", json=body, headers=headers)


def count_rows(read_db, model) -> int:
    """How many rows of ``model`` the test's database holds."""
    return read_db(lambda s: s.scalar(select(func.count()).select_from(model)))
