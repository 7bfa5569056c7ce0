"""The alert e-mails' unsubscribe link, from the e-mail to the database.

The platform API app runs in-process on the test's demo database and is the gateway's
platform (httpx ASGI transport); alert e-mails go through the real dispatcher to an SMTP
stand-in. Olivia (en) and Marc (fr) get e-mail alerts; Sofia gets none.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.devtools.fake_smtp import FakeSmtpServer
from bot.gateway.app import create_app as create_gateway
from bot.notify.dispatcher import Dispatcher
from bot.notify.unsubscribe_token import AUDIENCE, ISSUER, unsubscribe_url, verify_unsubscribe
from bot.platform.api import alerts_unsubscribe
from bot.platform.api import create_app as create_platform
from bot.platform.db import make_engine, session_factory
from bot.platform.models import AlertOutbox, AuditLog, StoreLink, User
from bot.platform.services.link_health import mark_disconnected
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings

OLIVIA, MARC = "olivia@demo-kitchen.test", "marc@demo-kitchen.test"
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York
LATER = T0 + timedelta(minutes=10)  # past damping and the digest window
PLATFORM_UNSUBSCRIBE = "/internal/alerts/unsubscribe"
DONE = "You will no longer receive alert e-mails."
BACK_ON = "send me e-mail alerts"
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    """An SMTP stand-in, running."""
    server = FakeSmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings(demo_db_url, smtp) -> Settings:
    """The stand-in as SMTP server, a fixed public dashboard URL."""
    return make_settings(
        demo_db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        dashboard_url="https://dash.example.test",
    )


def with_unsubscribe(app: FastAPI) -> FastAPI:
    """The platform app with the internal unsubscribe endpoint (until app.py includes it)."""
    paths = {getattr(route, "path", "") for route in app.routes}
    if PLATFORM_UNSUBSCRIBE not in paths:
        app.include_router(alerts_unsubscribe.router)
    return app


@asynccontextmanager
async def gateway(
    settings: Settings, platform: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, whose platform is the real platform app (or ``platform``)."""
    platform_app = with_unsubscribe(create_platform(settings))
    transport = platform or httpx.ASGITransport(app=platform_app)
    app = create_gateway(settings, platform_transport=transport)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="https://dash.example.test"
            ) as client:
                yield client
    finally:
        platform_app.state.platform.dispose()


@contextmanager
def db(settings: Settings) -> Iterator[Session]:
    """A fresh session on the test's database (its engine is disposed afterwards)."""
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def email_alerts(settings: Settings) -> dict[str, bool]:
    """E-mail → alert_email of every demo user."""
    with db(settings) as session:
        return {u.email: u.alert_email for u in session.scalars(select(User))}


def audit(settings: Settings) -> list[tuple[int | None, str, dict]]:
    """(user id, action, detail) of every audit entry about alert settings."""
    with db(settings) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == "alert_settings"))
        return [(row.user_id, row.action, row.detail) for row in rows]


def user_id(settings: Settings, email: str) -> int:
    with db(settings) as session:
        return session.scalar(select(User.id).where(User.email == email))


def path_of(url: str) -> str:
    """The path and query of a link, for the in-process gateway client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def break_just_eat_downtown(settings: Settings) -> None:
    """Disconnect Just Eat at Downtown / Burger Barn at T0 (alerts are queued)."""
    with db(settings) as session:
        for link in session.scalars(select(StoreLink).where(StoreLink.account_id == "je-main")):
            if (link.store.location.name, link.store.brand.name) == ("Downtown", "Burger Barn"):
                mark_disconnected(session, link, "invalid_credentials", now=T0, settings=settings)
        session.commit()


def dispatch(settings: Settings) -> None:
    """One dispatcher pass after damping and the digest window."""
    engine = make_engine(settings.database_url)
    try:
        asyncio.run(Dispatcher(session_factory(engine), settings, worker="t").run_once(LATER))
    finally:
        engine.dispose()


def test_alert_email_carries_the_recipients_one_click_link(settings, smtp):
    break_just_eat_downtown(settings)
    dispatch(settings)
    mails = {m["To"]: m for m in smtp.messages()}
    assert sorted(mails) == [MARC, OLIVIA]
    for address, language in ((OLIVIA, "en"), (MARC, "fr")):
        mail = mails[address]
        link = str(mail["List-Unsubscribe"]).strip()  # one https link: no mailto nobody reads
        assert link.startswith("<https://dash.example.test/alerts/unsubscribe?t=")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = link[1:-1]
        [token] = parse_qs(urlsplit(url).query)["t"]
        who = verify_unsubscribe(token, IDENTITY_SECRET)
        assert (who.user_id, who.language) == (user_id(settings, address), language)
        assert url in mail.get_body(("plain",)).get_content()
        assert "?alerts=settings" not in str(mail)


async def test_one_click_post_from_the_email_header_turns_email_alerts_off(settings, smtp):
    await asyncio.to_thread(break_just_eat_downtown, settings)
    await asyncio.to_thread(dispatch, settings)
    [mail] = smtp.messages(OLIVIA)
    url = str(mail["List-Unsubscribe"]).strip()[1:-1]
    async with gateway(settings) as client:
        response = await client.post(
            path_of(url), content="List-Unsubscribe=One-Click", headers=ONE_CLICK
        )
    assert response.status_code == 200
    assert DONE in response.text and BACK_ON in response.text
    assert email_alerts(settings)[OLIVIA] is False
    assert email_alerts(settings)[MARC] is True


async def test_get_shows_the_button_and_changes_nothing(settings):
    olivia = user_id(settings, OLIVIA)
    url = unsubscribe_url(settings, olivia, "en")
    async with gateway(settings) as client:
        response = await client.get(path_of(url))
        again = await client.get(path_of(url))
    assert response.status_code == again.status_code == 200
    page = response.text
    assert '<form method="post" action="/alerts/unsubscribe">' in page
    assert "Stop alert e-mails</button>" in page
    assert "no-referrer" == response.headers["referrer-policy"]
    assert email_alerts(settings)[OLIVIA] is True
    assert audit(settings) == []


async def test_the_button_turns_olivias_email_alerts_off_and_is_audited(settings):
    olivia = user_id(settings, OLIVIA)
    token = parse_qs(urlsplit(unsubscribe_url(settings, olivia)).query)["t"][0]
    before = email_alerts(settings)
    async with gateway(settings) as client:
        response = await client.post("/alerts/unsubscribe", data={"t": token})
        twice = await client.post("/alerts/unsubscribe", data={"t": token})
    assert response.status_code == twice.status_code == 200
    assert DONE in response.text and BACK_ON in twice.text
    after = email_alerts(settings)
    assert after[OLIVIA] is False
    assert {k: v for k, v in after.items() if k != OLIVIA} == {
        k: v for k, v in before.items() if k != OLIVIA
    }
    [(who, _, detail)] = audit(settings)  # the second click changed nothing
    assert who == olivia and detail["changed"] == {"email": False}


async def test_marcs_page_is_in_french(settings):
    url = unsubscribe_url(settings, user_id(settings, MARC), "fr")
    async with gateway(settings) as client:
        page = unescape((await client.get(path_of(url))).text)
        done = unescape(
            (await client.post(path_of(url), data={"List-Unsubscribe": "One-Click"})).text
        )
    assert '<html lang="fr">' in page and "Arrêter les e-mails d'alerte</button>" in page
    assert "Vous ne recevrez plus d'e-mails d'alerte." in done
    assert "envoie-moi les alertes par e-mail" in done
    assert email_alerts(settings)[MARC] is False


def forged_tokens(olivia: int) -> list[str]:
    """Tokens for Olivia that must not work: other secret, other purpose, other audience."""
    claims = {"sub": str(olivia), "purpose": "unsubscribe_email", "aud": AUDIENCE, "iss": ISSUER}
    other = "an-attackers-secret-0123456789abcdef-0123456789"
    return [
        jwt.encode(claims, other, algorithm="HS256"),
        jwt.encode({**claims, "purpose": "login"}, IDENTITY_SECRET, algorithm="HS256"),
        jwt.encode({**claims, "aud": "platform"}, IDENTITY_SECRET, algorithm="HS256"),
        "",
        "garbage",
    ]


async def test_forged_or_wrong_purpose_tokens_get_a_400_page_and_change_nothing(settings):
    olivia = user_id(settings, OLIVIA)
    async with gateway(settings) as client:
        for token in forged_tokens(olivia):
            shown = await client.get("/alerts/unsubscribe", params={"t": token})
            posted = await client.post("/alerts/unsubscribe", data={"t": token})
            one_click = await client.post(
                f"/alerts/unsubscribe?t={token}", content="List-Unsubscribe=One-Click"
            )
            for response in (shown, posted, one_click):
                assert response.status_code == 400
                assert "This unsubscribe link is incomplete or has been altered" in response.text
                assert "<form" not in response.text
    assert email_alerts(settings)[OLIVIA] is True
    assert audit(settings) == []


async def test_waiting_alert_emails_are_not_sent_after_unsubscribing(settings, smtp):
    await asyncio.to_thread(break_just_eat_downtown, settings)  # queued, not yet due
    url = unsubscribe_url(settings, user_id(settings, OLIVIA))
    async with gateway(settings) as client:
        assert (await client.post(path_of(url))).status_code == 200
    await asyncio.to_thread(dispatch, settings)
    assert [m["To"] for m in smtp.messages()] == [MARC]
    with db(settings) as session:
        states = {(r.channel, r.address): r.state for r in session.scalars(select(AlertOutbox))}
    assert states[("email", OLIVIA)] == "cancelled"
    # only e-mail alerts stop (no Twilio here: the SMS waits for its next try)
    assert states[("sms", "+15550000001")] == "pending"


async def test_platform_out_of_reach_is_a_503_page_and_nothing_changes(settings):
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    url = unsubscribe_url(settings, user_id(settings, OLIVIA))
    async with gateway(settings, platform=httpx.MockTransport(down)) as client:
        response = await client.post(path_of(url))
    assert response.status_code == 503 and "Please try again later" in response.text
    assert email_alerts(settings)[OLIVIA] is True


async def test_internal_endpoint_needs_the_internal_token_and_a_known_user(settings):
    app = with_unsubscribe(create_platform(settings))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://platform.test"
        ) as client:
            olivia = user_id(settings, OLIVIA)
            anonymous = await client.post(PLATFORM_UNSUBSCRIBE, json={"user_id": olivia})
            auth = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
            unknown = await client.post(
                PLATFORM_UNSUBSCRIBE, json={"user_id": 999_999}, headers=auth
            )
    finally:
        app.state.platform.dispose()
    assert anonymous.status_code == 401
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "unknown_user"
    assert email_alerts(settings)[OLIVIA] is True
