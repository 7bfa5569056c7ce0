"""The local SMTP stand-in refuses as a real server would, then records what it accepts."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from bot.devtools.fake_smtp import FakeSmtpServer


@pytest.fixture
def server() -> Iterator[FakeSmtpServer]:
    smtp = FakeSmtpServer()
    smtp.start()
    yield smtp
    smtp.stop()


def send(server: FakeSmtpServer, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@x.test", "olivia@x.test", subject
    message.set_content("body")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as client:
        client.send_message(message)


def test_down_refuses_at_hello_and_up_accepts(server: FakeSmtpServer) -> None:
    server.down()
    with pytest.raises(smtplib.SMTPHeloError) as refused:
        send(server, "while down")
    assert refused.value.smtp_code == 421
    assert server.refusals >= 1 and server.messages() == []
    server.up()
    send(server, "after")
    assert [m["Subject"] for m in server.wait_for(1)] == ["after"]


def test_fail_next_refuses_that_many_messages_with_451(server: FakeSmtpServer) -> None:
    server.fail_next(2)
    for _ in range(2):
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(server, "refused")
        assert refused.value.smtp_code == 451
    send(server, "third")
    assert [m["Subject"] for m in server.messages(to="olivia@x.test")] == ["third"]
    assert server.wait_for_refusals(2, timeout=1) == 2
    server.clear()
    assert server.refusals == 0 and server.messages() == []
