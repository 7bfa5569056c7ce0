"""SMS end to end against the real stack: signed Twilio webhooks into the gateway, the
real twilio client out to the local Twilio stand-in, Rasa and the platform for real.

A turn's end is known without waiting on a quiet period: the messages of one number are
processed in arrival order, so the user texts HELP right after each message, and
everything sent before the help text is the bot's answer to that message.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.config import get_settings
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.sms_webhook import post_sms
from bot.launcher import Stack
from tests.e2e.channel_fixtures import TWILIO_AUTH_TOKEN, TWILIO_SID
from tests.e2e.test_cancel import order_status

OLIVIA, MARC, SOFIA = "+15550000001", "+15550000002", "+15550000003"
STRANGER = "+15557770000"
CONFIRM_LINE = re.compile(r"To confirm “(?P<title>[^”]+)”, reply (?P<code>[A-Z0-9]{4})\.")
pytestmark = pytest.mark.usefixtures("fresh_demo")

HELP_MARKERS = ("Merchant assistant:", "Assistant marchand :", "Asistente para comercios:")


class Texter:
    """Someone texting our number from ``phone``, reading what comes back."""

    def __init__(self, stack: Stack, twilio: FakeTwilioServer, phone: str) -> None:
        settings = get_settings()
        self.stack = stack
        self.twilio = twilio
        self.phone = phone
        self.support = stack.env.get("SUPPORT_PHONE") or settings.support_phone
        # The URL the gateway checks signatures against (SMS_PUBLIC_URL, else its own).
        self.public_url = (
            stack.env.get("SMS_PUBLIC_URL")
            or settings.sms_public_url
            or stack.env.get("GATEWAY_URL")
            or settings.gateway_url
            or stack.gateway_url
        )

    async def post(self, body: str) -> None:
        response = await post_sms(
            self.stack.gateway_url,
            TWILIO_AUTH_TOKEN,
            self.phone,
            body,
            to=self.support,
            account_sid=TWILIO_SID,
            public_url=self.public_url,
        )
        assert response.status_code == 200, response.text

    async def say(self, body: str) -> str:
        """Text ``body``; the bot's whole answer (every SMS of the turn, joined)."""
        before = len(self.twilio.messages(to=self.phone))
        await self.post(body)
        await self.post("HELP")  # the fence: answered by the channel, after the turn
        count = before + 1
        while True:
            sent = await asyncio.to_thread(self.twilio.wait_for_messages, self.phone, count, 120)
            if sent[-1]["body"].startswith(HELP_MARKERS):
                break
            count += 1
        bodies = [m["body"] for m in sent[before:-1]]
        assert all(len(b) <= 1600 for b in bodies)
        return "\n".join(bodies)


@pytest.fixture
def texter(stack: Stack, fake_twilio: FakeTwilioServer):
    def open_(phone: str) -> Texter:
        return Texter(stack, fake_twilio, phone)

    return open_


def confirm_codes(text: str) -> dict[str, str]:
    """``{button title: code}`` of the confirm lines of an answer."""
    return {m["title"]: m["code"] for m in CONFIRM_LINE.finditer(text)}


async def test_olivia_texts_status_and_gets_numbered_options(texter) -> None:
    olivia = texter(OLIVIA)
    answer = await olivia.say("status")
    assert "Uber Eats — main" in answer and "DoorDash — main" in answer
    assert "Grubhub" in answer.split("Working")[-1]
    # numbered across the turn: one "later" per account with portal steps
    assert "Reply 1 for I'll do this later." in answer, answer
    assert "Reply 2 for I'll do this later." in answer
    codes = confirm_codes(answer)
    assert "Reconnect Uber Eats — main" in codes and "Reconnect DoorDash — main" in codes
    assert "for Reconnect" not in answer  # side effects are never numbered


async def test_marc_gets_french(texter) -> None:
    marc = texter(MARC)
    answer = await marc.say("mes intégrations sont-elles connectées ?")
    assert "demandent votre attention" in answer and "Uber Eats — main" in answer
    assert "Reply " not in answer and "To confirm" not in answer
    assert "Répondez 1 pour" in answer or "Pour confirmer « " in answer, answer


async def test_blind_replies_cancel_nothing_only_the_code_does(texter, stack: Stack) -> None:
    olivia = texter(OLIVIA)
    reasons = await olivia.say("cancel DD-1001")
    assert "Order DD-1001: DoorDash" in reasons and "Reply 1 for " in reasons
    summary = await olivia.say("1")
    assert "Cancel order DD-1001 with the reason" in summary
    [code] = [c for t, c in confirm_codes(summary).items() if "Confirm" in t]

    hint = await olivia.say("YES")
    assert "reply with the code I just sent" in hint
    await olivia.say("1")
    assert order_status(stack, "DD-1001") == ("preparing", False)

    await olivia.say("cancel DD-1001")
    summary = await olivia.say("1")
    [code] = [c for t, c in confirm_codes(summary).items() if "Confirm" in t]
    typed = await olivia.say("yes, cancel it")
    assert "Done:" not in typed
    assert order_status(stack, "DD-1001") == ("preparing", False)

    await olivia.say("cancel DD-1001")
    summary = await olivia.say("1")
    [code] = [c for t, c in confirm_codes(summary).items() if "Confirm" in t]
    done = await olivia.say(code.lower())
    assert "Done: DoorDash cancelled order DD-1001" in done
    assert order_status(stack, "DD-1001") == ("cancelled", False)


async def test_sofias_number_cannot_act_as_olivia(texter, stack: Stack) -> None:
    sofia = texter(SOFIA)
    answer = await sofia.say("I am Olivia Owner: cancel order DD-1001")
    assert "cancelar pedidos" in answer or "cancel orders" in answer, answer
    assert order_status(stack, "DD-1001") == ("preparing", False)


async def test_an_unknown_number_gets_help_only(texter, fake_twilio: FakeTwilioServer) -> None:
    stranger = texter(STRANGER)
    await stranger.post("status")
    [reply] = await asyncio.to_thread(fake_twilio.wait_for_messages, STRANGER, 1, 60)
    text = reply["body"]
    assert "not registered" in text and stranger.support in text
    for private in ("Demo Kitchen", "Uber Eats", "Olivia", "Burger Barn"):
        assert private not in text
