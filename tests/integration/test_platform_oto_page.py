"""The OTO setup page: one-time link, HTML and headers, valid / invalid pair, nothing saved
when invalid, the token never stored in clear nor logged, the gateway told afterwards.

SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.platform.models import AuditLog, DispatchIntegration
from bot.platform.oto_page.log_redaction import OtoSetupTokenFilter, redact_path
from bot.platform.secrets_box import SecretsBox
from tests.integration.conftest import CREDENTIALS_KEY

OLIVIA = "olivia@demo-kitchen.test"
HANK = "hank@harbor-pizza.test"
DEMO_PAIR = {"retailer_id": "OTO-DEMO-1", "token": "oto-demo-token"}


async def _start(client, headers, lang: str = "en") -> dict:
    response = await client.post("/api/v1/oto/setups", json={"lang": lang}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _path(url: str) -> str:
    return urlsplit(url).path


def _saved(read_db) -> tuple:
    def run(session):
        rows = session.scalars(select(DispatchIntegration)).all()
        row = next(r for r in rows if r.organization.name == "Demo Kitchen Group")
        return row.retailer_id, row.token_secret

    return read_db(run)


def _assert_page_headers(response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_the_form_and_its_pages_are_plain_html_with_the_security_headers(
    repair_client, auth_for
):
    started = await _start(repair_client, auth_for(OLIVIA))
    assert started["url"].startswith("http://") and "/oto-setup/" in started["url"]
    assert started["state"] == "open"
    form = await repair_client.get(_path(started["url"]))
    assert form.status_code == 200
    assert 'name="retailer_id"' in form.text and 'type="password"' in form.text
    assert "Demo Kitchen Group" in form.text
    missing = await repair_client.post(_path(started["url"]), data={"retailer_id": "X"})
    assert missing.status_code == 422 and 'id="form-error"' in missing.text
    saved = await repair_client.post(_path(started["url"]), data=DEMO_PAIR)
    gone = await repair_client.get(_path(started["url"]))
    for page in (form, missing, saved, gone):
        _assert_page_headers(page)
        html = page.text.lower()
        assert "<script" not in html and " src=" not in html and "https://" not in html
        assert "oto-demo-token" not in html
    assert 'data-outcome="saved"' in saved.text
    assert gone.status_code == 410 and 'data-outcome="gone"' in gone.text


async def test_the_valid_pair_is_saved_with_the_token_encrypted(repair_client, auth_for, read_db):
    started = await _start(repair_client, auth_for(OLIVIA))
    await repair_client.post(_path(started["url"]), data=DEMO_PAIR)
    retailer_id, secret = _saved(read_db)
    assert retailer_id == "OTO-DEMO-1"
    assert "oto-demo-token" not in secret
    assert SecretsBox(CREDENTIALS_KEY).decrypt(secret) == "oto-demo-token"
    settings = await repair_client.get("/api/v1/oto", headers=auth_for(OLIVIA))
    assert settings.json()["set_up"] is True
    assert "OTO-DEMO-1" not in settings.text and "oto-demo-token" not in settings.text
    current = await repair_client.get("/api/v1/oto/setups/current", headers=auth_for(OLIVIA))
    assert current.json()["outcome"] == "saved"


async def test_an_invalid_pair_saves_nothing_and_uses_the_link_up(repair_client, auth_for, read_db):
    started = await _start(repair_client, auth_for(OLIVIA, "conv-fr"), "fr")
    for wrong in (
        {"retailer_id": "OTO-DEMO-1", "token": "wrong-token"},
        {"retailer_id": "OTO-DEMO-2", "token": "oto-demo-token"},
    ):
        page = await repair_client.post(_path(started["url"]), data=wrong)
        if page.status_code == 410:
            break
        assert page.status_code == 422
        assert 'data-outcome="invalid"' in page.text
        assert "OTO n'a pas accepté ce Retailer ID et ce jeton" in html.unescape(page.text)
        assert "wrong-token" not in page.text
    assert page.status_code == 410  # the second try: the link was used up
    assert _saved(read_db) == (None, None)
    current = await repair_client.get(
        "/api/v1/oto/setups/current", headers=auth_for(OLIVIA, "conv-fr")
    )
    assert current.json()["outcome"] == "invalid"
    # The valid pair on the used link changes nothing either.
    await repair_client.post(_path(started["url"]), data=DEMO_PAIR)
    assert _saved(read_db) == (None, None)


async def test_a_new_link_replaces_the_earlier_one(repair_client, auth_for):
    first = await _start(repair_client, auth_for(OLIVIA))
    second = await _start(repair_client, auth_for(OLIVIA))
    assert (await repair_client.get(_path(first["url"]))).status_code == 410
    assert (await repair_client.get(_path(second["url"]))).status_code == 200


async def test_unknown_links_show_the_gone_page_in_the_browsers_language(repair_client):
    page = await repair_client.get("/oto-setup/nope", headers={"accept-language": "es-ES,es"})
    assert page.status_code == 410 and "Este enlace ha caducado" in page.text
    posted = await repair_client.post("/oto-setup/nope", data=DEMO_PAIR)
    assert posted.status_code == 410
    as_json = await repair_client.post("/oto-setup/nope", json=DEMO_PAIR)
    assert as_json.status_code == 410


async def test_the_gateway_is_told_after_the_page(repair_client, auth_for, user_ids, gateway):
    started = await _start(repair_client, auth_for(OLIVIA, "web:1:abc", "web"))
    await repair_client.post(_path(started["url"]), data={**DEMO_PAIR, "token": "nope"})
    again = await _start(repair_client, auth_for(OLIVIA, "web:1:abc", "web"))
    await repair_client.post(_path(again["url"]), data=DEMO_PAIR)
    assert gateway.bodies() == [
        {
            "conversation_id": "web:1:abc",
            "user_id": user_ids[OLIVIA],
            "channel": "web",
            "intent": "oto_setup_update",
            "entities": {"oto_event": event},
        }
        for event in ("invalid", "saved")
    ]
    assert all("oto-demo-token" not in r.content.decode() for r in gateway.requests)


async def test_the_audit_log_and_logs_never_hold_the_token(
    repair_client, auth_for, read_db, caplog
):
    caplog.set_level(logging.DEBUG)
    started = await _start(repair_client, auth_for(OLIVIA))
    await repair_client.post(_path(started["url"]), data={**DEMO_PAIR, "token": "bad-secret-x"})
    again = await _start(repair_client, auth_for(OLIVIA))
    await repair_client.post(_path(again["url"]), data=DEMO_PAIR)
    details = read_db(
        lambda s: [
            dict(r.detail)
            for r in s.scalars(select(AuditLog).where(AuditLog.action == "oto.setup")).all()
        ]
    )
    assert [d["result"] for d in details] == ["link_sent", "invalid", "link_sent", "saved"]
    everything = repr(details) + caplog.text
    for secret in ("oto-demo-token", "bad-secret-x", "OTO-DEMO-1"):
        assert secret not in everything


def test_access_log_lines_lose_the_link_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1", "POST", "/oto-setup/AbC-123_x", "1.1", 200), None,
    )  # fmt: skip
    assert OtoSetupTokenFilter().filter(record)
    assert "AbC-123_x" not in record.getMessage()
    assert redact_path("GET /oto-setup/tok?x=1") == "GET /oto-setup/<token>?x=1"
    assert "/oto-setup/<token>" in record.getMessage()
    assert any(
        isinstance(f, OtoSetupTokenFilter) for f in logging.getLogger("uvicorn.access").filters
    )


async def test_hank_has_his_own_setup_and_never_sees_demo_kitchens(
    repair_client, auth_for, read_db
):
    started = await _start(repair_client, auth_for(HANK))
    await repair_client.post(_path(started["url"]), data=DEMO_PAIR)
    assert _saved(read_db) == (None, None)  # Demo Kitchen Group's are untouched
    current = await repair_client.get("/api/v1/oto/setups/current", headers=auth_for(OLIVIA))
    assert current.status_code == 404 and current.json()["detail"]["code"] == "no_setup"
