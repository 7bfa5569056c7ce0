"""Side effects by SMS need the code the bot sent (a caller id can be spoofed): the
actions ask for it, and the platform refuses an unconfirmed SMS side effect itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from actions.activation import (
    ActionActivateIntegration,
    ActionActivationConfirm,
    ActionActivationSelect,
)
from actions.repair import ActionRepairReconnect
from bot.platform.models import PairingSession, StoreLink
from tests.unit.platform_inprocess import (
    OLIVIA,
    InProcessPlatform,
    open_platform,
    pressed,
    run_action,
)
from tests.unit.platform_inprocess import find_button as button
from tests.unit.trackers import entity, payload_json


class Platform(InProcessPlatform):
    """The platform app on a demo database, with SMS identities."""

    def pairings(self) -> int:
        return len(self.query(lambda s: list(s.scalars(select(PairingSession.id)))))

    def river_state(self) -> tuple[str, bool]:
        def read(session):
            link = session.scalars(select(StoreLink).where(StoreLink.account_id == "dd-river"))
            row = link.first()
            return row.state, row.activated

        return self.query(read)


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[Platform]:
    async with open_platform(demo_db_url, Platform) as real:
        yield real


async def test_a_typed_reconnect_by_sms_asks_for_the_code_then_sends_the_link(platform) -> None:
    text = "reconnect DoorDash"
    typed, events = await run_action(
        ActionRepairReconnect(platform.client),
        platform.sms_token(OLIVIA),
        text,
        "repair_reconnect",
        [entity("provider", "DoorDash", text)],
    )
    assert typed[0]["text"].startswith("To keep your account safe, anything that changes")
    go = button(typed, "Yes, go ahead")
    assert go["payload"] == '/repair_reconnect{"provider": "DoorDash"}'
    assert events == [] and platform.pairings() == 0

    intent, entities = pressed(go)
    confirmed, _ = await run_action(
        ActionRepairReconnect(platform.client),
        platform.sms_token(OLIVIA, confirmed=True),
        go["payload"],
        intent,
        entities,
    )
    assert "/pair/" in " ".join(m["text"] for m in confirmed)
    assert platform.pairings() == 1


async def test_french_and_spanish_ask_for_the_code(platform) -> None:
    for text, start, title in (
        (
            "Peux-tu reconnecter mon compte DoorDash, s'il te plaît ?",
            "Pour protéger votre compte",
            "Oui, allez-y",
        ),
        (
            "¿Puedes reconectar mi cuenta de DoorDash, por favor?",
            "Para proteger su cuenta",
            "Sí, adelante",
        ),
    ):
        typed, _ = await run_action(
            ActionRepairReconnect(platform.client),
            platform.sms_token(OLIVIA),
            text,
            "repair_reconnect",
            [entity("provider", "DoorDash", text)],
        )
        assert typed[0]["text"].startswith(start), typed
        assert typed[0]["buttons"][0]["title"] == title


async def test_an_activation_confirmed_by_a_typed_message_by_sms_changes_nothing(platform) -> None:
    ask = "activate my DoorDash integration"
    web = platform.token(OLIVIA)  # the same steps by SMS, up to the confirmation
    choice, _ = await run_action(
        ActionActivateIntegration(platform.client),
        platform.sms_token(OLIVIA),
        ask,
        "activate_integration",
        [entity("provider", "DoorDash", ask)],
    )
    intent, entities = pressed(choice[0]["buttons"][0])
    warning, _ = await run_action(
        ActionActivationSelect(platform.client),
        platform.sms_token(OLIVIA),
        choice[0]["buttons"][0]["payload"],
        intent,
        entities,
    )
    confirm = button(warning, "Confirm")
    intent, entities = pressed(confirm)
    # A blind "yes" typed back (Rasa reads it as activation_confirm with the button's values).
    blind, _ = await run_action(
        ActionActivationConfirm(platform.client),
        platform.sms_token(OLIVIA),
        "yes",
        intent,
        entities,
    )
    assert blind[0]["text"].startswith("To keep your account safe")
    assert platform.river_state() == ("connected", False)

    # The platform refuses it too, whatever the action does.
    refused = await platform.http.post(
        "/api/v1/activation",
        json={"links": [int(payload_json(confirm)["links"])], "request_id": "r1"},
        headers={"Authorization": f"Bearer {platform.sms_token(OLIVIA)}"},
    )
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "confirmation_required"
    assert platform.river_state() == ("connected", False)

    done, _ = await run_action(
        ActionActivationConfirm(platform.client),
        platform.sms_token(OLIVIA, confirmed=True),
        confirm["payload"],
        intent,
        entities,
    )
    assert done[0]["text"].startswith("Done: DoorDash is now active at Riverside / Taco Town.")
    assert platform.river_state() == ("active", True)
    assert web  # the web token is not needed: web confirmations are buttons already


async def test_me_says_the_channel_and_whether_the_message_is_confirmed(platform) -> None:
    for token, expected in (
        (platform.token(OLIVIA), {"channel": "web", "confirmed": False}),
        (platform.sms_token(OLIVIA), {"channel": "sms", "confirmed": False}),
        (platform.sms_token(OLIVIA, confirmed=True), {"channel": "sms", "confirmed": True}),
    ):
        me = await platform.http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["message"] == expected
