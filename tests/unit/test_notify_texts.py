"""Alert texts in en/fr/es: what broke, which stores, the repair link, "reply FIX"."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.notify.alert_texts import (
    BrokenStore,
    broken_store,
    render_email,
    render_pos_ticket,
    render_sms,
)
from bot.platform.models import Incident, StoreLink

DASHBOARD = "https://dash.example.test"
REPLY_FIX = {"en": "reply FIX", "fr": "répondez FIX", "es": "responda FIX"}
DISCONNECTED = {"en": "is disconnected at", "fr": "est déconnecté à", "es": "está desconectado en"}
WHEN = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def just_eat_downtown(demo_session) -> Incident:
    """An (unsaved) incident: Just Eat at Downtown / Burger Barn, invalid credentials."""
    link = demo_session.scalars(select(StoreLink).where(StoreLink.account_id == "je-main")).one()
    return Incident(provider="just_eat", error_type="invalid_credentials", link=link)


def other_store(language: str) -> BrokenStore:
    """A second broken store, for the multi-store e-mail."""
    return BrokenStore("Grubhub", "Airport / Burger Barn", "p", "f", f"{DASHBOARD}/?repair=gh-main")


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_sms_says_what_broke_where_and_how_to_fix_it(demo_session, just_eat_downtown, language):
    store = broken_store(demo_session, just_eat_downtown, language, DASHBOARD)
    sms = render_sms(language, store)
    assert f"Just Eat {DISCONNECTED[language]} Downtown / Burger Barn" in sms
    assert f"{DASHBOARD}/?repair=je-main" in sms
    assert REPLY_FIX[language] in sms
    assert "\n" not in sms and len(sms) <= 1600


def test_problem_is_the_catalog_text_in_the_language(demo_session, just_eat_downtown):
    texts = {
        lang: broken_store(demo_session, just_eat_downtown, lang, DASHBOARD).problem
        for lang in ("en", "fr", "es")
    }
    assert "no longer accepts the login" in texts["en"]
    assert "n'accepte plus" in texts["fr"]
    assert "ya no acepta" in texts["es"]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_single_and_multi_store_emails(demo_session, just_eat_downtown, language):
    store = broken_store(demo_session, just_eat_downtown, language, DASHBOARD)
    single = render_email(language, [store], f"{DASHBOARD}/?alerts=settings")
    assert "Just Eat" in single.subject and "Downtown / Burger Barn" in single.subject
    for body in (single.text, single.html):
        assert f"{DASHBOARD}/?repair=je-main" in body and "Downtown / Burger Barn" in body
    multi = render_email(language, [store, other_store(language)], f"{DASHBOARD}/?alerts=settings")
    assert multi.subject.startswith("2 ")
    for body in (multi.text, multi.html):
        assert "Downtown / Burger Barn" in body and "Airport / Burger Barn" in body
        assert "?repair=gh-main" in body and "?repair=je-main" in body
        assert "{count}" not in body


def test_email_html_escapes_names():
    store = BrokenStore("Just Eat", "<b>Down</b> / Burger Barn", "p", "f", "https://x/?repair=a")
    mail = render_email("en", [store], "https://x/?alerts=settings")
    assert "<b>Down</b>" not in mail.html and "&lt;b&gt;" in mail.html


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_pos_ticket_fits_42_columns(demo_session, just_eat_downtown, language):
    store = broken_store(demo_session, just_eat_downtown, language, DASHBOARD)
    ticket = render_pos_ticket(language, store, WHEN)
    lines = ticket.splitlines()
    assert all(len(line) <= 42 for line in lines)
    assert "Just Eat" in ticket and "Downtown / Burger Barn" in ticket
    assert f"{DASHBOARD}/?repair=je-main".replace("\n", "") in ticket.replace("\n", "")
    ticket.encode("utf-8")  # plain text
