"""action_alert_settings against the real platform app on the demo data: each user turns
their own SMS / e-mail alerts on or off, or asks which they get, in en/fr/es.

Demo: Olivia (en) gets SMS + e-mail, Marc (fr) e-mail, Sofia (es) nothing; every phone
is verified. Our SMS number is the support_phone setting (+15550001000 by default).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.alerts import ActionAlertSettings
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
from tests.unit.trackers import entity

OUR_NUMBER = "+15550001000"


class Platform(InProcessPlatform):
    """The platform app on a demo database, with SMS identities and alert choices."""

    def alerts(self, email: str) -> tuple[bool, bool]:
        """(SMS, e-mail) alerts of one user, as stored."""
        user = self.user(email)
        return user.alert_sms, user.alert_email


@pytest.fixture
async def platform(demo_db_url) -> AsyncIterator[Platform]:
    async with open_platform(demo_db_url, Platform) as real:
        yield real


def channel(value: str, text: str, typed: str) -> dict:
    """An alert_channel entity whose value is ``value``, typed as ``typed`` in ``text``."""
    found = entity("alert_channel", typed, text)
    return {**found, "value": value}


def texts(messages: list[dict]) -> list[str]:
    return [message["text"] for message in messages]


async def settings(platform: Platform, email: str, text: str, intent: str, entities=None):
    return await run_action(
        ActionAlertSettings(platform.client), platform.token(email), text, intent, entities
    )


async def test_olivia_stops_email_alerts_and_keeps_sms(platform) -> None:
    text = "stop e-mail alerts"
    messages, _ = await settings(
        platform, OLIVIA, text, "alerts_off", [channel("email", text, "e-mail")]
    )
    assert texts(messages) == [
        "Done: you won't get alerts by e-mail any more.",
        "Right now you get alerts by SMS when an integration disconnects.",
    ]
    assert platform.alerts(OLIVIA) == (True, False)
    assert platform.alerts(MARC) == (False, True)  # nobody else's alerts change
    assert platform.audit("alert_settings")[-1]["changed"] == {"email": False}

    again, _ = await settings(
        platform, OLIVIA, text, "alerts_off", [channel("email", text, "e-mail")]
    )
    assert texts(again)[0] == "You already don't get alerts by e-mail: nothing changed."
    assert len(platform.audit("alert_settings")) == 1


async def test_off_without_a_channel_turns_both_off(platform) -> None:
    messages, _ = await settings(platform, OLIVIA, "turn off my alerts", "alerts_off")
    assert texts(messages)[0] == "Done: you won't get alerts by SMS and e-mail any more."
    assert texts(messages)[1].startswith("Right now you get no alerts.")
    assert platform.alerts(OLIVIA) == (False, False)


async def test_marc_asks_for_sms_alerts_in_french(platform) -> None:
    text = "envoie-moi les alertes par SMS"
    messages, _ = await settings(platform, MARC, text, "alerts_on", [channel("sms", text, "SMS")])
    assert texts(messages) == [
        "C'est fait : vous recevrez désormais les alertes par SMS.",
        "Actuellement, vous recevez les alertes par SMS et e-mail "
        "quand une intégration se déconnecte.",
    ]
    assert platform.alerts(MARC) == (True, True)


async def test_sofia_asks_which_alerts_she_gets(platform) -> None:
    messages, _ = await settings(platform, SOFIA, "¿qué alertas recibo?", "alerts_show")
    [text] = texts(messages)
    assert text.startswith("Ahora mismo no recibe ninguna alerta.")
    assert platform.alerts(SOFIA) == (False, False)
    assert platform.audit("alert_settings") == []


async def test_on_without_a_channel_asks_which_then_the_button_turns_it_on(platform) -> None:
    messages, _ = await settings(platform, SOFIA, "activa mis alertas", "alerts_on")
    assert texts(messages) == ["¿Quiere recibir las alertas por SMS o por correo electrónico?"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["Por SMS", "Por correo"]
    assert platform.alerts(SOFIA) == (False, False)

    by_email = find_button(messages, "Por correo")
    intent, entities = pressed(by_email)
    done, _ = await settings(platform, SOFIA, by_email["payload"], intent, entities)
    assert texts(done)[0] == "Listo: a partir de ahora recibirá las alertas por correo electrónico."
    assert platform.alerts(SOFIA) == (False, True)


async def opt_out(platform: Platform, phone: str, stopped: bool) -> None:
    """The number texted STOP (``stopped``) or START, as the SMS gateway records it."""
    answer = await platform.http.post(
        "/internal/sms/opt-outs", json={"phone": phone, "opted_out": stopped}, headers=INTERNAL
    )
    assert answer.status_code == 200


async def test_sms_alerts_are_refused_after_stop_until_start(platform) -> None:
    await opt_out(platform, "+15550000003", True)
    text = "mándame las alertas por SMS"
    entities = [channel("sms", text, "SMS")]
    messages, _ = await settings(platform, SOFIA, text, "alerts_on", entities)
    assert texts(messages) == [
        f"Su número envió STOP, así que no puedo enviarle alertas por SMS. Envíe START al "
        f"{OUR_NUMBER} y vuelva a pedírmelo. No cambió nada."
    ]
    assert platform.alerts(SOFIA) == (False, False)
    assert platform.audit("alert_settings") == []

    await opt_out(platform, "+15550000003", False)
    done, _ = await settings(platform, SOFIA, text, "alerts_on", entities)
    assert texts(done)[0] == "Listo: a partir de ahora recibirá las alertas por SMS."
    assert platform.alerts(SOFIA) == (True, False)


async def test_olivia_after_stop_is_told_to_text_start(platform) -> None:
    await opt_out(platform, "+15550000001", True)
    shown, _ = await settings(platform, OLIVIA, "which alerts do I get?", "alerts_show")
    assert texts(shown) == [
        "Right now you get alerts by SMS and e-mail when an integration disconnects.\n"
        "Your phone number texted STOP, so no SMS reaches you: "
        f"text START to {OUR_NUMBER} to get them again."
    ]
    text = "please turn on my SMS alerts again"
    refused, _ = await settings(platform, OLIVIA, text, "alerts_on", [channel("sms", text, "SMS")])
    assert texts(refused) == [
        "Your phone number texted STOP, so I can't send you SMS alerts. "
        f"Text START to {OUR_NUMBER}, then ask me again. Nothing changed."
    ]
    assert platform.alerts(OLIVIA) == (True, True)


async def test_an_sms_sender_is_asked_for_the_code_before_a_change(platform) -> None:
    text = "stop e-mail alerts"
    entities = [channel("email", text, "e-mail")]
    typed, events = await run_action(
        ActionAlertSettings(platform.client),
        platform.sms_token(OLIVIA),
        text,
        "alerts_off",
        entities,
    )
    assert typed[0]["text"].startswith("To keep your account safe")
    go = find_button(typed, "Yes, go ahead")
    assert go["payload"] == '/alerts_off{"alert_channel": "email"}'
    assert platform.alerts(OLIVIA) == (True, True)

    # The platform refuses it too, whatever the action does.
    refused = await platform.http.patch(
        "/api/v1/alerts/settings",
        json={"email": False},
        headers={"Authorization": f"Bearer {platform.sms_token(OLIVIA)}"},
    )
    assert refused.status_code == 403
    assert platform.alerts(OLIVIA) == (True, True)

    intent, pressed_entities = pressed(go)
    done, _ = await run_action(
        ActionAlertSettings(platform.client),
        platform.sms_token(OLIVIA, confirmed=True),
        go["payload"],
        intent,
        pressed_entities,
    )
    assert texts(done)[0] == "Done: you won't get alerts by e-mail any more."
    assert platform.alerts(OLIVIA) == (True, False)


async def test_by_sms_the_channel_question_comes_without_a_code(platform) -> None:
    messages, _ = await run_action(
        ActionAlertSettings(platform.client),
        platform.sms_token(MARC),
        "active les alertes",
        "alerts_on",
    )
    assert texts(messages) == ["Vous voulez recevoir vos alertes par SMS ou par e-mail ?"]
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert payloads == ['/alerts_on{"alert_channel":"sms"}', '/alerts_on{"alert_channel":"email"}']
    assert platform.alerts(MARC) == (False, True)


async def test_an_unknown_sender_changes_nothing(platform) -> None:
    messages, _ = await run_action(
        ActionAlertSettings(platform.client), None, "turn off alerts", "alerts_off"
    )
    assert texts(messages)[0].startswith("I can't confirm who you are from here")
    assert platform.alerts(OLIVIA) == (True, True)
