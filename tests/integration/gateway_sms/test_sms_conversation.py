"""SMS conversations: numbered options and confirm codes, STOP/START/HELP keywords, long
answers and turns that continue by themselves.

Messages of one number are processed in arrival order, so "nothing was sent" is
checked causally: a later message's reply arrives, and nothing came before it.
(The stack and its fixtures: ``stack.py``, ``conftest.py``.)
"""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.conftest import INTERNAL_TOKEN
from tests.integration.gateway_sms.stack import (
    CONFIRM,
    LINK,
    MARC,
    OLIVIA,
    REASON,
    SOFIA,
    STRANGER,
    SUPPORT,
    SUPPORT_PAYLOAD,
)

# --- numbered options and confirm codes -------------------------------------------------


async def test_numbers_map_to_the_options_offered_last_and_other_text_is_text(sms) -> None:
    [status] = await sms.say(OLIVIA, "status")
    assert "Uber Eats — main is disconnected." in status
    assert "Reply 1 for I'll do this later, 2 for Contact support." in status
    assert "To confirm “Reconnect Uber Eats — main”, reply " in status

    await sms.say(OLIVIA, " 2 ")
    assert sms.rasa.messages()[-1] == SUPPORT_PAYLOAD
    await sms.say(OLIVIA, "status")
    await sms.say(OLIVIA, "2 please")
    assert sms.rasa.messages()[-1] == "2 please"

    await sms.say(OLIVIA, "status")
    [reasons] = await sms.say(OLIVIA, "cancel DD-1001")
    assert "Reply 1 for Too busy, 2 for Don't cancel." in reasons
    await sms.say(OLIVIA, "1")  # the reasons were offered last, not the status options
    assert sms.rasa.messages()[-1] == REASON
    assert sms.rasa.identity(-1).confirmed is False


async def test_blind_replies_never_confirm_only_the_code_does(sms) -> None:
    await sms.say(OLIVIA, "cancel DD-1001")
    [summary] = await sms.say(OLIVIA, "1")
    assert 'Cancel order DD-1001 with the reason "Too busy"?' in summary
    assert "Reply 1" not in summary
    code = summary.rsplit("reply ", 1)[1].rstrip(".")
    assert len(code) == 4 and not code.isdigit()
    sent_to_rasa = len(sms.rasa.received)

    for blind in ("1", "YES", "yes", "Oui", "2", "ok!"):
        [hint] = await sms.say(OLIVIA, blind)
        assert hint.startswith("To confirm, reply with the code I just sent"), blind
    assert len(sms.rasa.received) == sent_to_rasa  # none of them reached Rasa

    [done] = await sms.say(OLIVIA, f"  {code.lower()} ")
    assert done == "Done: DoorDash cancelled order DD-1001."
    assert sms.rasa.messages()[-1] == CONFIRM
    assert sms.rasa.identity(-1).confirmed is True

    await sms.say(OLIVIA, code)  # the code was for that turn only: now it is text
    assert sms.rasa.messages()[-1] == code
    assert sms.rasa.identity(-1).confirmed is False


async def test_a_reply_that_is_not_an_offered_number_is_text_when_no_code_waits(sms) -> None:
    await sms.say(OLIVIA, "hello")
    await sms.say(OLIVIA, "1")
    await sms.say(OLIVIA, "YES")
    assert sms.rasa.messages() == ["hello", "1", "YES"]


# --- keywords -------------------------------------------------------------------------


async def test_stop_confirms_then_silence_until_start(sms) -> None:
    assert await sms.say(OLIVIA, "STOP") == [
        "You won't get any more messages from us. Reply START to receive them again."
    ]
    assert await sms.opted_out(OLIVIA) is True
    await sms.silent(OLIVIA, "status")
    await sms.silent(OLIVIA, "HELP")
    [back] = await sms.say(OLIVIA, "start")
    assert back.startswith("You will receive our messages again.")
    assert await sms.opted_out(OLIVIA) is False
    assert sms.rasa.received == []  # nothing while opted out
    assert await sms.say(OLIVIA, "status")
    assert sms.rasa.messages() == ["status"]


async def test_yes_opts_back_in_only_while_opted_out_and_languages_follow(sms) -> None:
    [stopped] = await sms.say(MARC, "Arrêt")
    assert stopped.startswith("Vous ne recevrez plus de messages")
    [back] = await sms.say(MARC, "yes")
    assert back.startswith("Vous recevrez à nouveau nos messages.")
    [baja] = await sms.say(SOFIA, "BAJA")
    assert baja.startswith("No recibirá más mensajes nuestros.")
    [unknown_stop] = await sms.say(STRANGER, "stop")
    assert unknown_stop.startswith("You won't get any more messages")
    assert sms.rasa.received == []


async def test_cancel_is_not_an_opt_out_keyword(sms) -> None:
    assert await sms.say(OLIVIA, "CANCEL") == ["echo: CANCEL"]
    assert await sms.opted_out(OLIVIA) is False


async def test_help_names_our_support_number_in_the_users_language(sms) -> None:
    [help_en] = await sms.say(OLIVIA, " help ")
    assert SUPPORT in help_en and "STOP" in help_en
    [help_fr] = await sms.say(MARC, "INFO")
    assert SUPPORT in help_fr and "Assistant marchand" in help_fr
    [help_es] = await sms.say(OLIVIA, "ayuda")
    assert "Asistente para comercios" in help_es
    assert sms.rasa.received == []


# --- long answers and turns that continue by themselves -------------------------------


async def test_a_long_reply_is_split_under_1600_with_links_whole(sms) -> None:
    before = len(sms.twilio.messages(to=OLIVIA))
    response = await sms.post(OLIVIA, "long")
    assert response.status_code == 200
    # 5 paragraphs of ~700 characters: 3 messages
    bodies = await sms.replies(OLIVIA, before, 3)
    assert all(len(body) <= 1600 for body in bodies)
    assert sum(body.count(LINK) for body in bodies) == 5
    assert all(body.count("https://") == body.count(LINK) for body in bodies)


async def test_a_continued_conversation_is_texted_unless_opted_out(sms) -> None:
    olivia_id = sms.user_ids[OLIVIA]
    body = {
        "conversation_id": f"sms:{olivia_id}:15550000001",
        "user_id": olivia_id,
        "channel": "sms",
        "intent": "repair_pairing_update",
        "entities": {"pairing_event": "credentials_submitted"},
    }
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    async with httpx.AsyncClient(base_url=sms.gateway_url, headers=headers) as gateway:
        accepted = await gateway.post("/internal/conversations/continue", json=body)
        assert accepted.status_code == 202, accepted.text
        assert await sms.replies(OLIVIA, 0, 1) == ["update: credentials_submitted"]

        await sms.say(OLIVIA, "STOP")
        accepted = await gateway.post("/internal/conversations/continue", json=body)
        assert accepted.status_code == 202
        await _continuations_done()
        assert len(sms.rasa.triggers) == 2  # triggered, but not texted to an opted-out number
        [back] = await sms.say(OLIVIA, "START")
    assert back.startswith("You will receive our messages again.")
    assert [m["body"] for m in sms.twilio.messages(to=OLIVIA)][-2:] == [
        "You won't get any more messages from us. Reply START to receive them again.",
        back,
    ]


async def _continuations_done() -> None:
    """Wait for the gateway's background continuations (same event loop) to finish."""
    running = [t for t in asyncio.all_tasks() if t.get_name().startswith("continue ")]
    await asyncio.gather(*running)
