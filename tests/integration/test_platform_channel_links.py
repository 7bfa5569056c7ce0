"""Telegram link codes and links, linking by a shared contact, users by verified phone,
and ``make link-telegram``.

Through the HTTP API with the internal token, on SQLite and PostgreSQL
(docs/channels-contract.md).
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.platform import telegram_link_cli
from bot.platform.api import create_app
from bot.platform.models import (
    TelegramLink,
    TelegramLinkCode,
    User,
)
from bot.platform.services import telegram_links
from tests.integration.channel_requests import (
    CHAT,
    GROUP_CHAT,
    HANK,
    MARC,
    OLIVIA,
    TG_OLIVIA,
    TG_OTHER,
    count_rows,
    link_code,
    mint_code,
)
from tests.integration.conftest import make_settings
from tests.integration.records import audit_entries

# --- link codes and links -----------------------------------------------------------


async def test_code_links_the_telegram_account(client, internal_headers, user_ids, settings):
    olivia = user_ids[OLIVIA]
    minted = await mint_code(client, internal_headers, olivia)
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", minted["code"])
    expires_at = datetime.fromisoformat(minted["expires_at"].replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)
    ttl = timedelta(seconds=settings.telegram_link_ttl_seconds)
    assert now < expires_at <= now + ttl

    linked = await link_code(client, internal_headers, minted["code"], TG_OLIVIA)
    assert linked.status_code == 200, linked.text
    assert linked.json()["id"] == olivia
    assert linked.json()["organization"]["name"] == "Demo Kitchen Group"

    found = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert (found.status_code, found.json()) == (200, linked.json())
    unknown = await client.get(f"/internal/telegram/users/{TG_OTHER}", headers=internal_headers)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": {"code": "not_found"}})


async def test_code_is_stored_hashed(client, internal_headers, user_ids, read_db):
    minted = await mint_code(client, internal_headers, user_ids[OLIVIA])
    hashes = read_db(lambda s: list(s.scalars(select(TelegramLinkCode.code_hash))))
    assert len(hashes) == 1 and minted["code"] not in hashes[0]


async def test_a_code_works_once(client, internal_headers, user_ids, read_db):
    minted = await mint_code(client, internal_headers, user_ids[OLIVIA])
    assert (await link_code(client, internal_headers, minted["code"], TG_OLIVIA)).status_code == 200
    again = await link_code(client, internal_headers, minted["code"], TG_OTHER)
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
        response = await link_code(client, internal_headers, code, TG_OLIVIA)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": {"code": "invalid_code"}},
        )
    assert count_rows(read_db, TelegramLink) == 0
    assert audit_entries(read_db, "telegram.link") == []


async def test_a_new_code_replaces_the_users_unused_one(client, internal_headers, user_ids):
    first = await mint_code(client, internal_headers, user_ids[OLIVIA])
    second = await mint_code(client, internal_headers, user_ids[OLIVIA])
    assert first["code"] != second["code"]
    assert (await link_code(client, internal_headers, first["code"], TG_OLIVIA)).status_code == 404
    assert (await link_code(client, internal_headers, second["code"], TG_OLIVIA)).status_code == 200


async def test_code_for_an_unknown_user(client, internal_headers):
    response = await client.post(
        "/internal/telegram/link-codes", json={"user_id": 999999}, headers=internal_headers
    )
    assert (response.status_code, response.json()) == (404, {"detail": {"code": "not_found"}})


async def test_linking_replaces_earlier_links(client, internal_headers, user_ids, read_db):
    olivia, marc = user_ids[OLIVIA], user_ids[MARC]
    code = (await mint_code(client, internal_headers, olivia))["code"]
    assert (await link_code(client, internal_headers, code, TG_OLIVIA)).status_code == 200
    # Olivia links another Telegram account: the first one is no longer hers
    code = (await mint_code(client, internal_headers, olivia))["code"]
    assert (
        await link_code(client, internal_headers, code, TG_OTHER, GROUP_CHAT)
    ).status_code == 200
    first = await client.get(f"/internal/telegram/users/{TG_OLIVIA}", headers=internal_headers)
    assert first.status_code == 404
    # Marc links that same Telegram account: it is now his, Olivia has none
    code = (await mint_code(client, internal_headers, marc))["code"]
    linked = await link_code(client, internal_headers, code, TG_OTHER)
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
    minted = await mint_code(client, internal_headers, user_ids[OLIVIA])
    await link_code(client, internal_headers, minted["code"], TG_OLIVIA, GROUP_CHAT)
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
    assert count_rows(read_db, TelegramLink) == 1
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
    assert count_rows(read_db, TelegramLink) == 0
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
    assert count_rows(read_db, TelegramLinkCode) == 0
