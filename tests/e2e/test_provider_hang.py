"""A delivery provider that stops answering, under load: the bot says within 10 seconds
that the provider is not responding, nothing is cancelled, Try again cancels once; over
SMS, Twilio's webhook is answered before the turn ends."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.devtools.fake_twilio import FakeTwilioServer
from bot.devtools.webchat_client import WebChatUser
from bot.launcher import Stack
from tests.e2e.repair_support import internal_headers
from tests.e2e.test_cancel import order_status, provider_calls
from tests.e2e.test_sms import OLIVIA, Texter, confirm_codes

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_demo")]

STATUS = "are my integrations ok?"


def hang(stack: Stack, ref: str) -> None:
    """The sandbox provider stops answering the next cancellation of ``ref``."""
    fault = {"method": "cancel", "target": ref, "error": "hang"}
    httpx.post(
        f"{stack.platform_url}/internal/sandbox/faults", json=fault, headers=internal_headers()
    ).raise_for_status()


async def woke_up(stack: Stack, ref: str) -> list[dict]:
    """The provider's calls for ``ref`` once the hung one is recorded (it records itself
    when it wakes, SANDBOX_HANG_SECONDS later)."""
    deadline = time.monotonic() + 60
    while not (calls := provider_calls(stack, ref)) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    return calls


async def test_a_hung_provider_is_said_within_ten_seconds_and_cancels_nothing(
    chat, stack: Stack
) -> None:
    hang(stack, "UE-2002")
    olivia = await chat("olivia")
    turn = await olivia.say("cancel order UE-2002")
    turn = await olivia.click(turn, "Too busy")
    others: list[WebChatUser] = [await chat("marc") for _ in range(6)]
    stop = asyncio.Event()

    async def chatter(user: WebChatUser) -> None:
        while not stop.is_set():
            await user.say(STATUS)

    load = [asyncio.create_task(chatter(user)) for user in others]
    try:
        began = time.monotonic()
        failed = await olivia.click(turn, "Confirm cancellation", timeout=30)
        waited = time.monotonic() - began
    finally:
        stop.set()
        await asyncio.gather(*load)
    assert "Uber Eats isn't responding right now, so order UE-2002 was not cancelled" in failed.text
    assert waited < 10, f"told after {waited:.1f}s"
    assert failed.button_titles == ["Try again", "Contact support"]
    assert order_status(stack, "UE-2002") == ("ready", False)

    [hung] = await woke_up(stack, "UE-2002")  # it did nothing
    assert (hung["ok"], hung["error"]) == (False, "provider_not_responding")
    assert order_status(stack, "UE-2002") == ("ready", False)
    done = await olivia.click(failed, "Try again")
    assert "Done: Uber Eats cancelled order UE-2002" in done.text
    assert [call["ok"] for call in provider_calls(stack, "UE-2002")] == [False, True]


async def test_twilios_webhook_is_answered_before_the_hung_turn_ends(
    stack: Stack, fake_twilio: FakeTwilioServer
) -> None:
    hang(stack, "DD-1001")
    olivia = Texter(stack, fake_twilio, OLIVIA)
    await olivia.say("cancel DD-1001")
    summary = await olivia.say("1")
    [code] = [c for title, c in confirm_codes(summary).items() if "Confirm" in title]
    before = len(fake_twilio.messages(to=OLIVIA))
    await olivia.post(code)  # 200 from the webhook...
    assert len(fake_twilio.messages(to=OLIVIA)) == before  # ...before the bot answered
    sent = await asyncio.to_thread(fake_twilio.wait_for_messages, OLIVIA, before + 1, 30)
    assert "DoorDash isn't responding right now" in sent[before]["body"]
    assert order_status(stack, "DD-1001") == ("preparing", False)
    [hung] = await woke_up(stack, "DD-1001")
    assert hung["ok"] is False
