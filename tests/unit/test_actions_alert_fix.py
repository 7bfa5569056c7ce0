"""action_alert_fix against the real platform app on the demo data: "FIX" after a live
alert goes on as the repair of that alert's account, without asking which.

An alert is made the way production makes one: the sandbox breaks Just Eat at Downtown
(``POST /internal/sandbox/break``, through ``link_health.mark_disconnected``), then its
outbox rows are recorded as sent, as the dispatcher does after sending them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from actions.alert_fix import ActionAlertFix
from actions.repair import ActionRepairReconnect
from bot.platform.models import AlertOutbox, PairingSession, StoreLink, utcnow
from bot.platform.services.link_health import mark_connected
from tests.unit.platform_inprocess import (
    INTERNAL,
    MARC,
    OLIVIA,
    SOFIA,
    InProcessPlatform,
    find_button,
    open_platform,
    pressed,
    run_action,
)

JUST_EAT = {"provider": "Just Eat", "location": "Downtown", "error_type": "invalid_credentials"}


class Platform(InProcessPlatform):
    """The platform app on a demo database, with SMS identities, alerts and pairings."""

    async def alert(self) -> None:
        """Just Eat at Downtown breaks and its SMS / e-mail alerts go out."""
        broken = await self.http.post("/internal/sandbox/break", json=JUST_EAT, headers=INTERNAL)
        assert broken.status_code == 200, broken.text

        def sent(session) -> int:
            rows = session.execute(
                update(AlertOutbox)
                .where(AlertOutbox.channel.in_(("sms", "email")))
                .values(state="sent", sent_at=utcnow())
            )
            session.commit()
            return rows.rowcount

        assert self.query(sent) >= 2  # Olivia's SMS and e-mail, Marc's e-mail

    def works_again(self) -> None:
        """Just Eat at Downtown comes back (as a successful repair check records it)."""

        def connect(session) -> None:
            statement = select(StoreLink).where(StoreLink.account_id == "je-main")
            mark_connected(session, session.scalars(statement).one())
            session.commit()

        self.query(connect)

    def pairings(self) -> list[str]:
        """The accounts of every pairing started."""
        return self.query(lambda s: list(s.scalars(select(PairingSession.account_id))))


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[Platform]:
    async with open_platform(demo_db_url, Platform) as real:
        yield real


def texts(messages: list[dict]) -> list[str]:
    return [message["text"] for message in messages]


async def test_fix_on_the_web_sends_the_just_eat_link_without_asking_which(platform) -> None:
    await platform.alert()
    messages, events = await run_action(
        ActionAlertFix(platform.client), platform.token(OLIVIA), "FIX", "alert_fix"
    )
    said = texts(messages)
    assert said[0] == "Your latest alert: Just Eat is disconnected at Downtown / Burger Barn."
    assert said[1].startswith("Here is your secure link to reconnect Just Eat — main: ")
    assert "/pair/" in said[1]
    assert not any("Which account" in text for text in said)
    assert platform.pairings() == ["je-main"]
    assert {"event": "slot", "timestamp": None, "name": "repair_account", "value": "je-main"} in (
        events
    )


async def test_fix_by_sms_offers_the_reconnect_as_a_code_then_sends_the_link(platform) -> None:
    await platform.alert()
    messages, _ = await run_action(
        ActionAlertFix(platform.client), platform.sms_token(OLIVIA), "fix it", "alert_fix"
    )
    assert texts(messages) == [
        "Your latest alert: Just Eat is disconnected at Downtown / Burger Barn.",
        "To reconnect Just Eat — main, I'll send you a secure one-time link: "
        "reply with the code of the button below.",
    ]
    reconnect = find_button(messages, "Reconnect Just Eat — main")
    assert reconnect["payload"] == '/repair_reconnect{"account_id":"je-main"}'
    assert platform.pairings() == []  # nothing started before the code

    intent, entities = pressed(reconnect)
    started, _ = await run_action(
        ActionRepairReconnect(platform.client),
        platform.sms_token(OLIVIA, confirmed=True),
        reconnect["payload"],
        intent,
        entities,
        {"account_id": "je-main"},
    )
    assert texts(started)[0].startswith("Here is your secure link to reconnect Just Eat — main")
    assert platform.pairings() == ["je-main"]


async def test_marc_replies_reparer_and_hears_who_may_in_french(platform) -> None:
    await platform.alert()
    messages, _ = await run_action(
        ActionAlertFix(platform.client), platform.token(MARC), "RÉPARER", "alert_fix"
    )
    said = texts(messages)
    assert said[0] == "Votre dernière alerte : Just Eat est déconnecté à Downtown / Burger Barn."
    assert said[1].startswith("Vous n'êtes pas autorisé à reconnecter Just Eat — main")
    assert "Olivia Owner" in said[1]
    assert platform.pairings() == []


async def test_fix_without_any_alert_says_so_and_offers_the_status(platform) -> None:
    messages, _ = await run_action(
        ActionAlertFix(platform.client), platform.token(SOFIA), "ARREGLAR", "alert_fix"
    )
    assert texts(messages) == [
        "No le he enviado ninguna alerta en los últimos 7 días. ¿Quiere que revise sus "
        "integraciones?"
    ]
    assert messages[0]["buttons"] == [{"title": "Revisar mis integraciones", "payload": "/status"}]
    assert platform.pairings() == []


async def test_fix_when_the_link_works_again_says_so(platform) -> None:
    await platform.alert()
    platform.works_again()
    messages, _ = await run_action(
        ActionAlertFix(platform.client), platform.token(OLIVIA), "what's this alert?", "alert_fix"
    )
    assert texts(messages) == ["Good news: Just Eat at Downtown is working again. Nothing to fix."]
    assert platform.pairings() == []
