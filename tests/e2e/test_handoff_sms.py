"""Human handoff by SMS against the whole stack: Olivia texts our number (signed Twilio
webhooks into the gateway) and reads the answers the local Twilio stand-in received;
Sam answers from the support console in a headless Chromium.

A turn's end is known as in test_sms.py: the user texts HELP right after a message, and
everything sent before the help text is the answer to that message (none while the
conversation is with support).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from bot.devtools.fake_twilio import FakeTwilioServer
from bot.launcher import Stack
from tests.e2e.console_support import (
    LIVE,
    SAM,
    browser,
    console,
    hand_back,
    leave_no_handoff,
    open_conversation,
    open_handoff_of,
    queue_row,
    reply,
    take,
)
from tests.e2e.test_sms import OLIVIA as OLIVIA_PHONE
from tests.e2e.test_sms import Texter

__all__ = ["browser"]  # fixtures

OLIVIA = "Olivia Owner"
ASK = "I want to talk to a person"
TAKING_OVER = "I've asked a person from our support team to take over this conversation"
SMS_SECONDS = 60.0


@pytest.fixture
async def olivia(
    stack: Stack, fake_twilio: FakeTwilioServer, fresh_demo: None
) -> AsyncIterator[Texter]:
    """Olivia texting from her verified phone; her SMS handoff never outlives the test."""
    texter = Texter(stack, fake_twilio, OLIVIA_PHONE)
    yield texter
    await leave_no_handoff(stack, OLIVIA, "sms", lambda: texter.post("cancel"))


async def texted(twilio: FakeTwilioServer, phone: str, since: int, text: str) -> str:
    """The first SMS to ``phone`` after the first ``since`` that contains ``text``."""
    count = since + 1
    while True:
        sent = await asyncio.to_thread(twilio.wait_for_messages, phone, count, SMS_SECONDS)
        for message in sent[since:]:
            if text in message["body"]:
                return message["body"]
        count += 1


async def test_olivia_texts_for_a_person_and_sam_answers_her_by_sms(
    stack: Stack, browser: Browser, olivia: Texter, fake_twilio: FakeTwilioServer
) -> None:
    sam = await console(browser, stack, SAM)  # online: a person will take it
    asked = await olivia.say(ASK)
    assert TAKING_OVER in asked, asked

    row = queue_row(sam, OLIVIA)
    await expect(row).to_contain_text("Demo Kitchen Group", timeout=LIVE)
    await expect(row).to_contain_text("sms")
    await expect(row).to_contain_text("Waiting")
    await open_conversation(sam, OLIVIA, "sms")
    await expect(sam.locator("#packet-channel")).to_have_text("sms")
    await expect(sam.locator("#earlier")).to_contain_text(ASK)

    mark = len(fake_twilio.messages(to=OLIVIA_PHONE))
    await take(sam)
    await texted(fake_twilio, OLIVIA_PHONE, mark, "Sam from support has joined the conversation.")

    quiet = await olivia.say("my DoorDash is down since noon")
    assert quiet == "", f"the assistant answered while Sam holds the conversation: {quiet}"
    transcript = sam.locator("#transcript")
    await expect(transcript).to_contain_text("my DoorDash is down since noon", timeout=LIVE)

    mark = len(fake_twilio.messages(to=OLIVIA_PHONE))
    await reply(sam, "Hi Olivia, Sam here: let me check DoorDash")
    body = await texted(fake_twilio, OLIVIA_PHONE, mark, "Sam (support): ")
    assert body == "Sam (support): Hi Olivia, Sam here: let me check DoorDash"

    mark = len(fake_twilio.messages(to=OLIVIA_PHONE))
    await hand_back(sam)
    await texted(
        fake_twilio, OLIVIA_PHONE, mark, "Sam from support handed you back to the assistant"
    )
    assert open_handoff_of(stack, OLIVIA, "sms") is None

    answer = await olivia.say("status")
    assert "Uber Eats — main" in answer and "DoorDash — main" in answer, answer
    assert "(support)" not in answer
    await expect(transcript).not_to_contain_text("status")  # the bot's again, not Sam's
