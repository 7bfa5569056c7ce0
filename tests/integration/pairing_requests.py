"""Pairing through the API and the page, for its tests: demo users, starting a pairing,
reading the page (its outcome and step nonce) and the account's store links."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from bot.platform.models import StoreLink

OLIVIA = "olivia@demo-kitchen.test"
MARC = "marc@demo-kitchen.test"
SOFIA = "sofia@demo-kitchen.test"


def path_of(url: str) -> str:
    """The path of a pairing link (the test client has its own base URL)."""
    return urlsplit(url).path


async def start_pairing(client, headers, account_id: str, lang: str = "en") -> dict:
    """Start a pairing of ``account_id`` (201 asserted); the pairing."""
    response = await client.post(
        "/api/v1/repair/pairings", json={"account_id": account_id, "lang": lang}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def link_states(read_db, account_id: str) -> list[tuple]:
    """(state, error_type, error_case) of each store link of ``account_id``, by id."""

    def query(session):
        links = session.scalars(
            select(StoreLink).where(StoreLink.account_id == account_id).order_by(StoreLink.id)
        ).all()
        return [(link.state, link.error_type, link.error_case) for link in links]

    return read_db(query)


def outcome_of(html: str) -> str | None:
    """The outcome a pairing page shows (``None`` when it shows none)."""
    marker = 'id="result" data-outcome="'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split('"', 1)[0]


def step_of(html: str) -> str:
    """The step nonce of a pairing page's code form."""
    return html.split('name="step" value="', 1)[1].split('"', 1)[0]
