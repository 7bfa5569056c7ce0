"""The Telegram and SMS channels' internal endpoints (docs/channels-contract.md): link
codes and links, users by verified phone, SMS opt-outs, receipts, through the HTTP API
with the internal token, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.platform import telegram_link_cli
from bot.platform.api import create_app
from bot.platform.models import (
    ChannelReceipt,
    SmsOptOut,
    TelegramLink,
    TelegramLinkCode,
    User,
)
from bot.platform.services import channel_receipts, telegram_links
from tests.integration.conftest import make_settings
from tests.integration.records import audit_entries

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
TG_OLIVIA, TG_OTHER = 7001, 7002
CHAT = 7001
GROUP_CHAT = -1001234567890


async def _mint(client, headers, user_id: int) -> dict:
    response = await client.post(
        "/internal/telegram/link-codes", json={"user_id": user_id}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _link(client, headers, code: str, telegram_user_id: int, chat_id: int = CHAT):
    body = {"code": code, "telegram_user_id": telegram_user_id, "chat_id": chat_id}
    return await client.post("/internal/telegram/links", json=body, headers=headers)


def _count(read_db, model) -> int:
    return read_db(lambda s: s.scalar(select(func.count()).select_from(model)))


# --- link codes and links -----------------------------------------------------------


async def test_code_links_the_telegram_account(client, internal_headers, user_ids, settings):
    olivia = user_ids[OLIVIA]
    minted = await _mint(client, internal_headers, olivia)
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", minted["code"])
    expires_at = datetime.fromisoformat(minted["expires_at"].replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)
    ttl = timedelta(seconds=settings.telegram_link_ttl_seconds)
    assert now < expires_at <= now + ttl

    linked = await _link(client, internal_headers, minted["code"], TG_OLIVIA)
    assert linked.status_code == 200, linked.text
    assert linked.json()["id"] == olivia
    assert linked.json()["organization"]["name"] == "Demo Kitchen Group"

    found = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert (found.status_code, found.json()) == (200, linked.json())
    unknown = await client.get(f"/internal/telegram/users/{TG_OTHER}", headers=internal_headers)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": {"code": "not_found"}})


async def test_code_is_stored_hashed(client, internal_headers, user_ids, read_db):
    minted = await _mint(client, internal_headers, user_ids[OLIVIA])
    hashes = read_db(lambda s: list(s.scalars(select(TelegramLinkCode.code_hash))))
    assert len(hashes) == 1 and minted["code"] not in hashes[0]


async def test_a_code_works_once(client, internal_headers, user_ids, read_db):
    minted = await _mint(client, internal_headers, user_ids[OLIVIA])
    assert (await _link(client, internal_headers, minted["code"], TG_OLIVIA)).status_code == 200
    again = await _link(client, internal_headers, minted["code"], TG_OTHER)
    assert (again.status_code, again.json()) == (404, {"detail": {"code": "invalid_code"}})
    # the second account got nothing; the first keeps its link
    other = await client.get(f"/internal/telegram/users/{TG_OTHER}", headers=internal_headers)
    assert other.status_code == 404
    links = read_db(
        lambda s: [(r.telegram_user_id, r.user_id) for r in s.scalars(select(TelegramLink))]
    )
    assert links == [(TG_OLIVIA, user_ids[OLIVIA])]


async def test_expired_unknown_and_malformed_codes_are_refused(
    client, internal_headers, user_ids, settings, read_db
):
    def mint_long_ago(session) -> str:
        user = session.get(User, user_ids[OLIVIA])
        past = datetime.now(timezone.utc) - timedelta(
            seconds=settings.telegram_link_ttl_seconds + 1
        )
        return telegram_links.new_link_code(session, settings, user, now=past).code

    expired = read_db(mint_long_ago)
    for code in (expired, "AAAAAAAAAAAA", "short", "has spaces!!"):
        response = await _link(client, internal_headers, code, TG_OLIVIA)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": {"code": "invalid_code"}},
        )
    assert _count(read_db, TelegramLink) == 0
    assert audit_entries(read_db, "telegram.link") == []


async def test_a_new_code_replaces_the_users_unused_one(client, internal_headers, user_ids):
    first = await _mint(client, internal_headers, user_ids[OLIVIA])
    second = await _mint(client, internal_headers, user_ids[OLIVIA])
    assert first["code"] != second["code"]
    assert (await _link(client, internal_headers, first["code"], TG_OLIVIA)).status_code == 404
    assert (await _link(client, internal_headers, second["code"], TG_OLIVIA)).status_code == 200


async def test_code_for_an_unknown_user(client, internal_headers):
    response = await client.post(
        "/internal/telegram/link-codes", json={"user_id": 999999}, headers=internal_headers
    )
    assert (response.status_code, response.json()) == (404, {"detail": {"code": "not_found"}})


async def test_linking_replaces_earlier_links(client, internal_headers, user_ids, read_db):
    olivia, marc = user_ids[OLIVIA], user_ids[MARC]
    code = (await _mint(client, internal_headers, olivia))["code"]
    assert (await _link(client, internal_headers, code, TG_OLIVIA)).status_code == 200
    # Olivia links another Telegram account: the first one is no longer hers
    code = (await _mint(client, internal_headers, olivia))["code"]
    assert (await _link(client, internal_headers, code, TG_OTHER, GROUP_CHAT)).status_code == 200
    first = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert first.status_code == 404
    # Marc links that same Telegram account: it is now his, Olivia has none
    code = (await _mint(client, internal_headers, marc))["code"]
    linked = await _link(client, internal_headers, code, TG_OTHER)
    assert linked.json()["id"] == marc
    links = read_db(
        lambda s: [
            (r.telegram_user_id, r.user_id, r.chat_id) for r in s.scalars(select(TelegramLink))
        ]
    )
    assert links == [(TG_OTHER, marc, CHAT)]
    entries = audit_entries(read_db, "telegram.link", "telegram.unlink")
    assert [action for action, _ in entries] == [
        "telegram.link",
        "telegram.link",
        "telegram.unlink",
        "telegram.link",
    ]
    assert entries[1][1]["previous_telegram_user_id"] == TG_OLIVIA
    assert entries[2][1] == {"telegram_user_id": TG_OTHER, "reason": "linked_to_another_user"}
    assert entries[3][1]["previous_user_id"] == olivia


async def test_link_and_unlink_are_audit_logged(client, internal_headers, user_ids, read_db):
    minted = await _mint(client, internal_headers, user_ids[OLIVIA])
    await _link(client, internal_headers, minted["code"], TG_OLIVIA, GROUP_CHAT)
    path = f"/internal/telegram/users/{TG_OLIVIA}"
    deleted = await client.delete(path, headers=internal_headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await client.get(path, headers=internal_headers)).status_code == 404
    again = await client.delete(path, headers=internal_headers)
    assert (again.status_code, again.json()) == (404, {"detail": {"code": "not_found"}})

    assert audit_entries(read_db, "telegram.link", "telegram.unlink") == [
        (
            "telegram.link",
            {"telegram_user_id": TG_OLIVIA, "chat_id": GROUP_CHAT, "via": "code"},
        ),
        ("telegram.unlink", {"telegram_user_id": TG_OLIVIA, "reason": "unlinked"}),
    ]
    assert minted["code"] not in str(audit_entries(read_db, "telegram.link"))


def test_one_code_used_by_two_requests_at_once_links_once(
    settings, internal_headers, user_ids, read_db
):
    app = create_app(settings)
    try:
        code = (
            TestClient(app)
            .post(
                "/internal/telegram/link-codes",
                json={"user_id": user_ids[OLIVIA]},
                headers=internal_headers,
            )
            .json()["code"]
        )
        start = threading.Barrier(2)

        def link(telegram_user_id: int) -> int:
            client = TestClient(app)
            start.wait(timeout=30)
            body = {"code": code, "telegram_user_id": telegram_user_id, "chat_id": CHAT}
            return client.post(
                "/internal/telegram/links", json=body, headers=internal_headers
            ).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(link, (TG_OLIVIA, TG_OTHER)))
    finally:
        app.state.platform.dispose()
    assert statuses == [200, 404]
    assert _count(read_db, TelegramLink) == 1
    assert len(audit_entries(read_db, "telegram.link")) == 1


# --- shared contacts and phones -------------------------------------------------------


async def test_contact_with_olivias_verified_phone_links(
    client, internal_headers, user_ids, read_db
):
    # as Telegram sends it (no "+"), in E.164, and as a person would write it
    for phone in ("15550000001", "+15550000001", "+1 (555) 000-0001"):
        body = {"phone": phone, "telegram_user_id": TG_OLIVIA, "chat_id": CHAT}
        response = await client.post(
            "/internal/telegram/links/contact", json=body, headers=internal_headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["email"] == OLIVIA
    found = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert found.json()["id"] == user_ids[OLIVIA]
    assert (
        audit_entries(read_db, "telegram.link")
        == [("telegram.link", {"telegram_user_id": TG_OLIVIA, "chat_id": CHAT, "via": "contact"})]
        * 3
    )


async def test_contact_with_an_unknown_or_unverified_phone_links_nothing(
    client, internal_headers, user_ids, read_db
):
    def unverify_marc(session) -> None:
        session.get(User, user_ids[MARC]).phone_verified = False
        session.commit()

    read_db(unverify_marc)
    for phone in ("+15559999999", "+15550000002"):
        body = {"phone": phone, "telegram_user_id": TG_OLIVIA, "chat_id": CHAT}
        response = await client.post(
            "/internal/telegram/links/contact", json=body, headers=internal_headers
        )
        assert (response.status_code, response.json()) == (
            404,
            {"detail": {"code": "unknown_phone"}},
        )
    assert _count(read_db, TelegramLink) == 0
    assert audit_entries(read_db, "telegram.link") == []


async def test_users_by_phone_only_verified(client, internal_headers, user_ids, read_db):
    async def lookup(phone: str):
        return await client.get(
            "/internal/users/by-phone", params={"phone": phone}, headers=internal_headers
        )

    olivia = await lookup("+15550000001")
    assert (olivia.status_code, olivia.json()["id"]) == (200, user_ids[OLIVIA])
    hank = await lookup("15550000009")
    assert hank.json()["id"] == user_ids[HANK]
    assert hank.json()["organization"]["name"] == "Harbor Pizza"
    assert (await lookup("+15550000002")).json()["email"] == MARC

    def unverify_marc(session) -> None:
        session.get(User, user_ids[MARC]).phone_verified = False
        session.commit()

    read_db(unverify_marc)
    for phone in ("+15550000002", "+15559999999"):
        response = await lookup(phone)
        assert (response.status_code, response.json()) == (404, {"detail": {"code": "not_found"}})


# --- SMS opt-outs ---------------------------------------------------------------------


async def test_opt_out_and_back_in(client, internal_headers, read_db):
    async def read(phone: str) -> dict:
        response = await client.get(
            "/internal/sms/opt-outs", params={"phone": phone}, headers=internal_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def write(phone: str, opted_out: bool) -> dict:
        response = await client.post(
            "/internal/sms/opt-outs",
            json={"phone": phone, "opted_out": opted_out},
            headers=internal_headers,
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert await read("+15550000001") == {"phone": "+15550000001", "opted_out": False}
    assert await write("15550000001", True) == {"phone": "+15550000001", "opted_out": True}
    assert await read("+15550000001") == {"phone": "+15550000001", "opted_out": True}
    assert await write("+15550000001", True) == {"phone": "+15550000001", "opted_out": True}
    assert await write("+15550000001", False) == {"phone": "+15550000001", "opted_out": False}
    assert await read("+1 555 000 0001") == {"phone": "+15550000001", "opted_out": False}
    assert _count(read_db, SmsOptOut) == 1


# --- receipts -------------------------------------------------------------------------


async def test_receipts_first_then_duplicate(client, internal_headers):
    async def receive(channel: str, external_id: object):
        return await client.post(
            "/internal/channels/receipts",
            json={"channel": channel, "external_id": external_id},
            headers=internal_headers,
        )

    first = await receive("sms", "SM0123456789abcdef")
    assert (first.status_code, first.json()) == (201, {"first": True})
    again = await receive("sms", "SM0123456789abcdef")
    assert (again.status_code, again.json()) == (200, {"first": False})
    # the same id on the other channel is another message; an int update_id is its text
    assert (await receive("telegram", "SM0123456789abcdef")).status_code == 201
    assert (await receive("telegram", 123456789)).status_code == 201
    assert (await receive("telegram", "123456789")).json() == {"first": False}


def test_two_concurrent_receipts_of_one_message_process_it_once(
    settings, internal_headers, read_db
):
    app = create_app(settings)
    racers = 8
    start = threading.Barrier(racers)

    def receive(_: int) -> tuple[int, bool]:
        client = TestClient(app)
        start.wait(timeout=30)
        response = client.post(
            "/internal/channels/receipts",
            json={"channel": "telegram", "external_id": "555000111"},
            headers=internal_headers,
        )
        return response.status_code, response.json()["first"]

    try:
        with ThreadPoolExecutor(max_workers=racers) as pool:
            answers = list(pool.map(receive, range(racers)))
    finally:
        app.state.platform.dispose()
    assert sorted(answers) == [(200, False)] * (racers - 1) + [(201, True)]
    assert _count(read_db, ChannelReceipt) == 1


def test_old_receipts_are_purged(read_db):
    now = datetime.now(timezone.utc)

    def receive_and_purge(session) -> tuple[int, bool, bool]:
        assert channel_receipts.record_receipt(
            session, "sms", "SM-old", now=now - timedelta(days=8)
        )
        assert channel_receipts.record_receipt(
            session, "sms", "SM-new", now=now - timedelta(days=1)
        )
        purged = channel_receipts.purge_receipts(session, now=now)
        return (
            purged,
            channel_receipts.record_receipt(session, "sms", "SM-old", now=now),
            channel_receipts.record_receipt(session, "sms", "SM-new", now=now),
        )

    assert read_db(receive_and_purge) == (1, True, False)


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
        assert _count(read_db, model) == 0
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
        assert _count(read_db, model) == 0


async def test_demo_reset_empties_the_channel_tables(client, internal_headers, user_ids, read_db):
    minted = await _mint(client, internal_headers, user_ids[OLIVIA])
    await _link(client, internal_headers, minted["code"], TG_OLIVIA)
    await _mint(client, internal_headers, user_ids[MARC])
    await client.post(
        "/internal/sms/opt-outs",
        json={"phone": "+15550000003", "opted_out": True},
        headers=internal_headers,
    )
    await client.post(
        "/internal/channels/receipts",
        json={"channel": "sms", "external_id": "SM1"},
        headers=internal_headers,
    )
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert _count(read_db, model) >= 1

    reset = await client.post("/internal/sandbox/reset", headers=internal_headers)
    assert reset.status_code == 200, reset.text
    for model in (TelegramLink, TelegramLinkCode, SmsOptOut, ChannelReceipt):
        assert _count(read_db, model) == 0
    found = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert found.status_code == 404
    assert len(audit_entries(read_db, "telegram.link")) == 1  # the audit log is kept


# --- make link-telegram ---------------------------------------------------------------


def test_cli_prints_a_code_that_links(demo_db_url, read_db, user_ids, capsys):
    settings = make_settings(demo_db_url, telegram_bot_username="DemoKitchenBot")
    assert telegram_link_cli.main(["--as", " Olivia@Demo-Kitchen.TEST "], settings) == 0
    out = capsys.readouterr().out
    code = re.search(r"https://t\.me/DemoKitchenBot\?start=([A-Za-z0-9_-]{12})", out).group(1)
    assert f"Code: {code}" in out and "Olivia Owner" in out and "Expires: " in out

    def link(session) -> int:
        return telegram_links.link_with_code(session, code, TG_OLIVIA, CHAT).id

    assert read_db(link) == user_ids[OLIVIA]


def test_cli_without_a_bot_username_prints_the_code_only(demo_db_url, capsys):
    settings = make_settings(demo_db_url, telegram_bot_username="")
    assert telegram_link_cli.main(["--as", OLIVIA], settings) == 0
    out = capsys.readouterr().out
    assert re.search(r"Code: [A-Za-z0-9_-]{12}", out) and "t.me" not in out


def test_cli_unknown_email(demo_db_url, read_db, capsys):
    settings = make_settings(demo_db_url)
    assert telegram_link_cli.main(["--as", "nobody@example.test"], settings) == 2
    assert "nobody@example.test" in capsys.readouterr().err
    assert _count(read_db, TelegramLinkCode) == 0
