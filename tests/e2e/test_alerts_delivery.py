"""Live alerts on the real stack (issue 6): a provider disconnects a working store link
(the sandbox's ``make break``), and after the damping window the platform's dispatcher
texts through the local Twilio stand-in, e-mails through a local SMTP server (aiosmtpd)
and leaves a ticket for Downtown's POS. Each test waits until the outbox has nothing
left to send before counting, so "one message" means the dispatcher had every chance to
send more.

Demo (DEMO.md): Olivia gets SMS + e-mail (en), Marc e-mail (fr), Sofia nothing; Hank is
another organization's. Working links: Just Eat at Downtown / Burger Barn (POS there),
Grubhub at Airport / Burger Barn.
"""

from __future__ import annotations

from email.message import Message

import pytest

from bot.devtools.fake_smtp import FakeSmtpServer
from bot.devtools.fake_twilio import FakeTwilioServer
from bot.launcher import Stack
from tests.e2e.alert_support import (
    EMAILS,
    PHONES,
    break_link,
    html_of,
    make_break,
    nothing_for,
    outbox,
    pos_tickets,
    reconnect,
    repair_link,
    text_of,
    wait_for,
    wait_until_sent,
)
from tests.e2e.channel_fixtures import DASHBOARD_URL
from tests.e2e.repair_support import reset_demo

JUST_EAT_DOWNTOWN = "Just Eat is disconnected at Downtown / Burger Barn"

pytestmark = pytest.mark.usefixtures("clean_alerts")


def only_email(smtp: FakeSmtpServer, name: str) -> Message:
    """The one e-mail ``name`` received (fails on none or several)."""
    mails = smtp.messages(to=EMAILS[name])
    assert len(mails) == 1, [m["Subject"] for m in mails]
    return mails[0]


def sms_bodies(twilio: FakeTwilioServer, name: str) -> list[str]:
    """The SMS ``name``'s phone received."""
    return [m["body"] for m in twilio.messages(to=PHONES[name])]


def test_one_break_alerts_each_recipient_once_in_their_language(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> None:
    response = break_link(stack, "Just Eat", "Downtown")
    assert response.status_code == 200, response.text
    [incident] = response.json()["incidents"]
    wait_until_sent(stack)

    # Olivia: one SMS, in English, with the repair link and "reply FIX".
    [sms] = sms_bodies(fake_twilio, "olivia")
    assert sms.startswith(f"Merchant assistant: {JUST_EAT_DOWNTOWN} (")
    assert f"Fix it: {repair_link('je-main')}" in sms
    assert "reply FIX to repair it by text" in sms

    # Olivia: one single-store e-mail, in English.
    mail = only_email(fake_smtp, "olivia")
    assert mail["Subject"] == JUST_EAT_DOWNTOWN
    text = text_of(mail)
    assert text.startswith("Hello,")
    assert f"Repair it: {repair_link('je-main')}" in text
    assert repair_link("je-main") in html_of(mail)
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{DASHBOARD_URL}/alerts/unsubscribe?t="), unsubscribe
    assert mail["Message-ID"].startswith("<alert-")

    # Marc: one e-mail in French, no SMS (he chose e-mail only).
    mail = only_email(fake_smtp, "marc")
    assert mail["Subject"] == "Just Eat est déconnecté à Downtown / Burger Barn"
    text = text_of(mail)
    assert text.startswith("Bonjour,")
    assert f"Réparer: {repair_link('je-main')}" in text
    assert "Ne plus recevoir ces e-mails" in text
    assert mail["List-Unsubscribe"]
    assert sms_bodies(fake_twilio, "marc") == []

    # Sofia chose no alerts; Hank is another organization's.
    assert nothing_for("sofia", fake_smtp, fake_twilio)
    assert nothing_for("hank", fake_smtp, fake_twilio)
    assert len(fake_smtp.messages()) == 2

    # Downtown's POS: one storefront-issue ticket, 42 columns at most.
    [ticket] = pos_tickets(stack, "Downtown", incident["organization_id"])
    body = ticket["body"]
    assert "STOREFRONT ISSUE" in body
    assert "Provider: Just Eat" in body and "Store: Downtown / Burger Barn" in body
    assert all(len(line) <= 42 for line in body.splitlines())
    assert pos_tickets(stack, "Downtown", incident["organization_id"]) == []  # fetched once


def test_two_stores_within_the_window_make_one_multi_store_email_each(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> None:
    assert break_link(stack, "Grubhub", "Airport").status_code == 200
    assert break_link(stack, "Just Eat", "Downtown").status_code == 200
    wait_until_sent(stack)

    mail = only_email(fake_smtp, "olivia")
    assert mail["Subject"] == "2 stores are disconnected"
    text = text_of(mail)
    assert "Grubhub — Airport / Burger Barn" in text
    assert "Just Eat — Downtown / Burger Barn" in text
    assert repair_link("gh-main") in text and repair_link("je-main") in text
    assert mail["List-Unsubscribe"]

    mail = only_email(fake_smtp, "marc")
    assert mail["Subject"] == "2 magasins sont déconnectés"
    text = text_of(mail)
    assert "Grubhub — Airport / Burger Barn" in text
    assert "Just Eat — Downtown / Burger Barn" in text

    # SMS stay one per store: Olivia gets two, one about each.
    texts = sms_bodies(fake_twilio, "olivia")
    assert len(texts) == 2, texts
    assert sum("Grubhub is disconnected at Airport / Burger Barn" in t for t in texts) == 1
    assert sum(JUST_EAT_DOWNTOWN in t for t in texts) == 1
    assert nothing_for("sofia", fake_smtp, fake_twilio)
    assert nothing_for("hank", fake_smtp, fake_twilio)
    assert len(fake_smtp.messages()) == 2


def test_the_same_event_five_times_alerts_once(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> None:
    runs = [make_break(stack, "Just Eat", "Downtown", "invalid credentials") for _ in range(5)]
    first, *repeats = runs
    assert first.returncode == 0, first.stderr
    assert "Downtown / Burger Barn: Just Eat is now disconnected" in first.stdout
    for run in repeats:
        assert run.returncode != 0
        assert "already disconnected there" in run.stderr
    rows = wait_until_sent(stack)

    assert len(sms_bodies(fake_twilio, "olivia")) == 1
    assert only_email(fake_smtp, "olivia")["Subject"] == JUST_EAT_DOWNTOWN
    assert only_email(fake_smtp, "marc")["Subject"].startswith("Just Eat est déconnecté")
    assert len(fake_smtp.messages()) == 2
    assert sorted(row["channel"] for row in rows) == ["email", "email", "pos", "sms"]
    [organization_id] = {row["organization_id"] for row in rows}
    assert len(pos_tickets(stack, "Downtown", organization_id)) == 1


def test_smtp_down_then_up_delivers_each_email_once_after_a_retry(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> None:
    fake_smtp.down()
    assert break_link(stack, "Just Eat", "Downtown").status_code == 200

    def emails_retrying() -> bool:
        emails = [row for row in outbox(stack) if row["channel"] == "email"]
        return bool(emails) and all(
            row["attempts"] >= 1 and row["state"] == "pending" for row in emails
        )

    wait_for("both e-mails to fail once and wait for a retry", emails_retrying)
    assert fake_smtp.refusals >= 2
    assert fake_smtp.messages() == []
    fake_smtp.up()
    rows = wait_until_sent(stack)

    assert only_email(fake_smtp, "olivia")["Subject"] == JUST_EAT_DOWNTOWN
    assert only_email(fake_smtp, "marc")["Subject"].startswith("Just Eat est déconnecté")
    for row in rows:
        if row["channel"] == "email":
            assert row["state"] == "sent" and row["attempts"] >= 1, row
    assert len(sms_bodies(fake_twilio, "olivia")) == 1  # SMS never waited for e-mail


def test_a_flap_inside_the_damping_window_sends_nothing(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer, user_ids
) -> None:
    response = break_link(stack, "Just Eat", "Downtown")
    assert response.status_code == 200, response.text
    [incident] = response.json()["incidents"]
    # Back before the damping window ends (5 s in these tests): Olivia pairs it again.
    assert reconnect(stack, user_ids["olivia"], "je-main", "justeat@demo-kitchen.test") == (
        "succeeded"
    )
    rows = wait_until_sent(stack)  # the dispatcher saw every row fall due

    assert {row["state"] for row in rows} == {"cancelled"}
    assert fake_smtp.messages() == []
    for name in PHONES:
        assert fake_twilio.messages(to=PHONES[name]) == [], name
    assert pos_tickets(stack, "Downtown", incident["organization_id"]) == []


def test_a_demo_reset_drops_alerts_not_sent_yet(
    stack: Stack, fake_smtp: FakeSmtpServer, fake_twilio: FakeTwilioServer
) -> None:
    assert break_link(stack, "Just Eat", "Downtown").status_code == 200
    assert outbox(stack)  # queued, due after the damping window
    reset_demo(stack)
    assert outbox(stack) == []
    # The link works again: a new break queues anew; the dropped alerts, due earlier,
    # would have gone out first.
    assert break_link(stack, "Just Eat", "Downtown").status_code == 200
    wait_until_sent(stack)
    assert len(sms_bodies(fake_twilio, "olivia")) == 1
    assert len(fake_smtp.messages()) == 2
