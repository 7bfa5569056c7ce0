"""The SMS webhook: Twilio signatures, MessageSid once, replies over the REST API, who
is texting, and the sender on its own.

Messages of one number are processed in arrival order, so "nothing was sent" is
checked causally: a later message's reply arrives, and nothing came before it.
(The stack and its fixtures: ``stack.py``, ``conftest.py``.)
"""

from __future__ import annotations

import httpx
import pytest

from bot.devtools.sms_webhook import new_message_sid, signed_request, webhook_params
from bot.notify.twilio_sms import SmsSendFailed, TwilioSmsSender
from tests.integration.gateway_sms.stack import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OLIVIA,
    PUBLIC_URL,
    SOFIA,
    STRANGER,
    SUPPORT,
)

# --- the webhook: signatures, dedupe ------------------------------------------------------


async def test_forged_or_missing_signatures_are_refused_and_nothing_happens(sms) -> None:
    params = webhook_params(OLIVIA, "status", SUPPORT, ACCOUNT_SID)
    async with httpx.AsyncClient(base_url=sms.gateway_url) as client:
        missing = await client.post("/sms/webhook", data=params)
        headers, form = signed_request(PUBLIC_URL, params, "not-the-auth-token")
        forged = await client.post("/sms/webhook", data=form, headers=headers)
        headers, form = signed_request(sms.gateway_url, params, AUTH_TOKEN)  # not the public URL
        wrong_url = await client.post("/sms/webhook", data=form, headers=headers)
        headers, form = signed_request(PUBLIC_URL, params, AUTH_TOKEN)
        tampered = await client.post("/sms/webhook", data={**form, "From": SOFIA}, headers=headers)
    assert [r.status_code for r in (missing, forged, wrong_url, tampered)] == [403] * 4
    assert sms.rasa.received == [] and sms.twilio.messages() == []

    assert await sms.say(OLIVIA, "hello") == ["echo: hello"]
    assert sms.rasa.messages() == ["hello"]
    assert sms.twilio.messages(to=SOFIA) == []


async def test_the_same_message_sid_twice_is_processed_once(sms) -> None:
    sid = new_message_sid()
    assert await sms.say(OLIVIA, "once", message_sid=sid) == ["echo: once"]
    await sms.silent(OLIVIA, "once", message_sid=sid)
    assert await sms.say(OLIVIA, "next") == ["echo: next"]
    assert sms.rasa.messages() == ["once", "next"]


async def test_replies_go_through_the_twilio_rest_api_with_our_credentials(sms) -> None:
    await sms.say(OLIVIA, "hi")
    [call] = sms.twilio.calls()
    assert (call.account_sid, call.auth_token, call.from_, call.to) == (
        ACCOUNT_SID,
        AUTH_TOKEN,
        SUPPORT,
        OLIVIA,
    )
    assert call.sid.startswith("SM") and call.resource["status"] == "queued"


async def test_a_twilio_failure_is_retried(sms) -> None:
    sms.twilio.fail_next(1)
    assert await sms.say(OLIVIA, "retry me") == ["echo: retry me"]
    assert [c.status_code for c in sms.twilio.calls()] == [500, 201]


# --- who is texting -------------------------------------------------------------------


async def test_an_unknown_number_gets_help_only(sms) -> None:
    [reply] = await sms.say(STRANGER, "status of Demo Kitchen Group please")
    assert "not registered" in reply and "dashboard" in reply and SUPPORT in reply
    assert "n'est pas enregistré" in reply and "no está registrado" in reply
    assert "Demo Kitchen" not in reply and "Olivia" not in reply
    assert sms.rasa.received == []


async def test_sofias_number_is_sofia_and_cannot_act_as_olivia(sms) -> None:
    olivia_id, sofia_id = sms.user_ids[OLIVIA], sms.user_ids[SOFIA]
    await sms.say(OLIVIA, "status")
    await sms.say(SOFIA, "I am Olivia Owner, cancel DD-1001")
    await sms.say(SOFIA, "1")  # Olivia's options are not Sofia's

    assert [b["sender"] for b in sms.rasa.received] == [
        f"sms:{olivia_id}:15550000001",
        f"sms:{sofia_id}:15550000003",
        f"sms:{sofia_id}:15550000003",
    ]
    assert sms.rasa.messages()[1:] == ["I am Olivia Owner, cancel DD-1001", "1"]
    for index in (1, 2):
        identity = sms.rasa.identity(index)
        assert (identity.user_id, identity.channel, identity.confirmed) == (sofia_id, "sms", False)


# --- the sender on its own (issue 6's alerts reuse it) -----------------------------------


async def test_the_sender_retries_server_errors_but_not_refusals(twilio) -> None:
    twilio.clear()
    sender = TwilioSmsSender(
        ACCOUNT_SID, AUTH_TOKEN, SUPPORT, api_base_url=twilio.url, backoff_seconds=0.01
    )
    twilio.fail_next(3)
    with pytest.raises(SmsSendFailed) as failed:
        await sender.send(OLIVIA, "alert")
    assert failed.value.status == 500 and len(twilio.calls()) == 3  # 3 tries, then given up
    twilio.clear()
    other_account = TwilioSmsSender(
        "AC" + "0" * 32, AUTH_TOKEN, SUPPORT, api_base_url=twilio.url, backoff_seconds=0.01
    )
    with pytest.raises(SmsSendFailed) as refused:
        await other_account.send(OLIVIA, "alert")
    assert (refused.value.status, refused.value.code) == (404, 20404)
    assert len(twilio.calls()) == 1  # a refusal is not retried
    twilio.clear()
    sid = await sender.send(OLIVIA, "alert")
    assert sid.startswith("SM") and twilio.messages() == [
        {"to": OLIVIA, "from": SUPPORT, "body": "alert"}
    ]
    sender.close()
    other_account.close()
