"""Replying FIX to an alert SMS starts the repair of that link (issue 6, chat parts).

NEEDS THE MODEL TRAINED WITH THE ``alert_fix`` INTENT (data/nlu/alerts.yml): with an
older models/merchant-assistant.tar.gz the bot does not understand "FIX" and this test
fails. The lead runs it after `make train`.

Olivia gets the alert SMS for Just Eat at Downtown, texts FIX from her phone through the
signed Twilio webhook (as tests/e2e/test_sms.py does), and the bot answers about Just
Eat without asking which provider or store: by SMS the reconnect is a one-time code, and
replying the code gives her the pairing link.
"""

from __future__ import annotations

import pytest

from bot.devtools.fake_twilio import FakeTwilioServer
from bot.launcher import Stack
from tests.e2e.alert_support import PHONES, break_link, wait_until_sent
from tests.e2e.repair_support import LINK
from tests.e2e.test_sms import Texter, confirm_codes

pytestmark = pytest.mark.usefixtures("clean_alerts")


async def test_olivia_replies_fix_and_the_just_eat_repair_starts(
    stack: Stack, fake_twilio: FakeTwilioServer
) -> None:
    assert break_link(stack, "Just Eat", "Downtown").status_code == 200
    wait_until_sent(stack)
    [alert] = fake_twilio.messages(to=PHONES["olivia"])
    assert "Just Eat is disconnected at Downtown / Burger Barn" in alert["body"]
    assert "reply FIX" in alert["body"]

    olivia = Texter(stack, fake_twilio, PHONES["olivia"])
    answer = await olivia.say("FIX")
    assert "Just Eat" in answer, answer
    assert "which provider" not in answer.lower()  # no question: the alert said which
    assert "which store" not in answer.lower()
    codes = confirm_codes(answer)
    assert "Reconnect Just Eat — main" in codes, answer

    started = await olivia.say(codes["Reconnect Just Eat — main"])
    assert LINK.search(started), started  # the pairing link for Just Eat — main
    assert "Just Eat" in started
