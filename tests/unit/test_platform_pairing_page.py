"""The pairing page's texts, rendering and access-log redaction."""

from __future__ import annotations

import logging
import string

from bot.platform.pairing_page.log_redaction import PairingTokenFilter, redact_path
from bot.platform.pairing_page.rendering import SECURITY_HEADERS, gone_page, render
from bot.platform.pairing_page.texts import TEXTS, PageTexts
from bot.platform.services.pairing import PageContext
from bot.platform.services.status import StoreRef


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_text_with_the_same_fields():
    keys = set(TEXTS["en"])
    for lang, texts in TEXTS.items():
        assert set(texts) == keys, lang
        for key, text in texts.items():
            assert text.strip(), (lang, key)
            assert _fields(text) == _fields(TEXTS["en"][key]), (lang, key)


def test_unknown_language_falls_back_to_english():
    assert PageTexts("de").lang == "en"
    assert PageTexts("fr-CA")("submit") == "Connecter"


def test_rendering_escapes_what_it_shows():
    page = PageContext(
        language="en",
        provider="Uber Eats",
        account='<script>alert("x")</script>',
        login='a"b@x.test',
        stores=[StoreRef("Down<town", "B&B")],
    )
    response = render(
        "credentials.html", "en", page=page, email=page.login, missing=False, action="t"
    )
    html = response.body.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'value="a&#34;b@x.test"' in html
    assert "Down&lt;town / B&amp;B" in html
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_gone_page():
    response = gone_page("es")
    assert response.status_code == 410
    assert 'data-outcome="gone"' in response.body.decode()
    assert response.headers["cache-control"] == "no-store"


def test_access_log_redaction():
    assert redact_path('"GET /pair/AbC-123_x HTTP/1.1" 200') == '"GET /pair/<token> HTTP/1.1" 200'
    assert redact_path("/pair/AbC/code?x=1") == "/pair/<token>/code?x=1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "POST", "/pair/secret-token/code", "1.1", 200),
        None,
    )
    assert PairingTokenFilter().filter(record) is True
    assert "secret-token" not in record.getMessage()
    assert "/pair/<token>/code" in record.getMessage()
