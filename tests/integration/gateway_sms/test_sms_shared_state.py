"""SMS with two gateway processes (production profile, one Redis): a reply that Twilio
delivers to the other process maps to the choices the first one sent; with Redis
unreachable a text gets the "can't answer" reply, never silence.

(The stack and its fixtures: ``stack.py``, ``conftest.py``.)
"""

from __future__ import annotations

from bot.gateway.texts import text
from tests.integration.gateway_sms.stack import (
    CONFIRM,
    MARC,
    OLIVIA,
    REASON,
    RECONNECT,
    SUPPORT_PAYLOAD,
)


async def test_a_reply_reaching_the_other_gateway_maps_to_the_choices_offered(sms_pair) -> None:
    a, b = sms_pair
    [status] = await a.say(OLIVIA, "status")
    assert "Reply 1 for I'll do this later, 2 for Contact support." in status
    code = status.rsplit("reply ", 1)[1].split(".")[0]

    await b.say(OLIVIA, " 2 ")  # Twilio's webhook for the reply reached the other gateway
    assert a.rasa.messages()[-1] == SUPPORT_PAYLOAD

    await a.say(OLIVIA, "status")
    await b.say(OLIVIA, code.lower())  # the code of the turn before: plain text now
    assert a.rasa.messages()[-1] == code.lower()
    [status] = await b.say(OLIVIA, "status")
    code = status.rsplit("reply ", 1)[1].split(".")[0]
    await a.say(OLIVIA, code)
    assert a.rasa.messages()[-1] == RECONNECT
    assert a.rasa.identity(-1).confirmed is True


async def test_a_confirm_code_sent_by_one_gateway_confirms_through_the_other(sms_pair) -> None:
    a, b = sms_pair
    await a.say(MARC, "cancel DD-1001")
    [summary] = await b.say(MARC, "1")
    assert a.rasa.messages()[-1] == REASON
    code = summary.rsplit("répondez ", 1)[1].rstrip(".")
    [done] = await a.say(MARC, code)
    assert a.rasa.messages()[-1] == CONFIRM
    assert a.rasa.identity(-1).confirmed is True
    assert "Done: DoorDash cancelled order DD-1001." in done


async def test_with_redis_unreachable_a_text_gets_the_cant_answer_reply(
    sms_without_redis,
) -> None:
    assert await sms_without_redis.say(OLIVIA, "status") == [text("rasa_unavailable", "en")]
    assert await sms_without_redis.say(MARC, "2") == [text("rasa_unavailable", "fr")]
    assert sms_without_redis.rasa.received == []
