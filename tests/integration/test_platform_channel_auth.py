"""The channels' internal endpoints refuse bad input (422, nothing changed) and any
caller without the internal token (401).

Through the HTTP API with the internal token, on SQLite and PostgreSQL
(docs/channels-contract.md).
"""

from __future__ import annotations

import itertools

from bot.platform.models import (
    ChannelReceipt,
    SmsOptOut,
    TelegramLink,
    TelegramLinkCode,
)
from tests.integration.channel_requests import (
    CHAT,
    OLIVIA,
    TG_OLIVIA,
    count_rows,
)

# --- bad input, authentication, demo reset ---------------------------------------------


BAD_INPUT = [
    ("post", "/internal/telegram/link-codes", {}, "bad_request"),
    ("post", "/internal/telegram/link-codes", {"user_id": "1"}, "bad_request"),
    ("post", "/internal/telegram/links", {"code": "x", "telegram_user_id": 1}, "bad_request"),
    (
        "post",
        "/internal/telegram/links",
        {"code": "AAAAAAAAAAAA", "telegram_user_id": 1.5, "chat_id": 1},
        "bad_request",
    ),
    (
        "post",
        "/internal/telegram/links/contact",
        {"phone": "not a phone", "telegram_user_id": TG_OLIVIA, "chat_id": CHAT},
        "invalid_phone",
    ),
    (
        "post",
        "/internal/telegram/links/contact",
        {"phone": "+15550000001", "telegram_user_id": "abc", "chat_id": CHAT},
        "bad_request",
    ),
    ("get", "/internal/telegram/users/abc", None, "bad_request"),
    ("delete", "/internal/telegram/users/abc", None, "bad_request"),
    ("get", "/internal/users/by-phone?phone=12", None, "invalid_phone"),
    ("get", "/internal/users/by-phone", None, "bad_request"),
    ("get", "/internal/sms/opt-outs?phone=call-me", None, "invalid_phone"),
    ("post", "/internal/sms/opt-outs", {"phone": "+15550000001"}, "bad_request"),
    ("post", "/internal/sms/opt-outs", {"phone": "+1555", "opted_out": True}, "invalid_phone"),
    (
        "post",
        "/internal/sms/opt-outs",
        {"phone": "+15550000001", "opted_out": "yes"},
        "bad_request",
    ),
    (
        "post",
        "/internal/channels/receipts",
        {"channel": "email", "external_id": "1"},
        "bad_request",
    ),
    (
        "post",
        "/internal/channels/receipts",
        {"channel": "sms", "external_id": ""},
        "bad_request",
    ),
]
"""(method, path, body, code): refused requests."""


async def test_bad_input_is_422_and_changes_nothing(client, internal_headers, read_db):
    for method, path, body, code in BAD_INPUT:
        kwargs = {"json": body} if body is not None else {}
        response = await client.request(method.upper(), path, headers=internal_headers, **kwargs)
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"]["code"] == code, (path, body)
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert count_rows(read_db, model) == 0
    missing = await client.post(
        "/internal/telegram/links", json={"code": "x"}, headers=internal_headers
    )
    assert missing.json() == {
        "detail": {"code": "bad_request", "fields": ["chat_id", "telegram_user_id"]}
    }


async def test_malformed_json_is_bad_request(client, internal_headers):
    response = await client.post(
        "/internal/channels/receipts",
        content=b"{not json",
        headers={**internal_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "bad_request"


EVERY_ENDPOINT = [
    ("post", "/internal/telegram/link-codes", {"user_id": 1}),
    (
        "post",
        "/internal/telegram/links",
        {"code": "AAAAAAAAAAAA", "telegram_user_id": 1, "chat_id": 1},
    ),
    ("get", f"/internal/telegram/users/{TG_OLIVIA}", None),
    ("delete", f"/internal/telegram/users/{TG_OLIVIA}", None),
    ("get", "/internal/users/by-phone?phone=%2B15550000001", None),
    ("get", "/internal/sms/opt-outs?phone=%2B15550000001", None),
    ("post", "/internal/sms/opt-outs", {"phone": "+15550000001", "opted_out": True}),
    ("post", "/internal/channels/receipts", {"channel": "sms", "external_id": "SM1"}),
]
"""(method, path, body): one valid request of each endpoint."""


async def test_a_wrong_token_is_401(client, token_for, read_db):
    wrong = (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {token_for(OLIVIA)}"},
    )
    for (method, path, body), headers in itertools.product(EVERY_ENDPOINT, wrong):
        kwargs = {"json": body} if body is not None else {}
        response = await client.request(method.upper(), path, headers=headers, **kwargs)
        assert (response.status_code, response.json()) == (
            401,
            {"detail": {"code": "unauthorized"}},
        )
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert count_rows(read_db, model) == 0
