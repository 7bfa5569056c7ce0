"""A local SMTP server that records messages, for tests, the bench and trying alerts.

Built on ``aiosmtpd``'s :class:`~aiosmtpd.controller.Controller` (its own thread)::

    server = FakeSmtpServer()
    server.start()          # server.port: where SMTP_PORT points
    ...                     # the code under test sends e-mail
    [mail] = server.wait_for(1)
    server.down()           # every new session answers 421 (a temporary failure)
    server.up()
    server.fail_next(2)     # or: the next two messages answer 451 at DATA
    server.stop()

Or on its own, printing each message: ``python -m bot.devtools.fake_smtp --port 8025``.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import socket
import threading
import time
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Handler:
    """Records each message; answers 421 while the server is down, 451 when told to fail."""

    def __init__(self, owner: FakeSmtpServer) -> None:
        self.owner = owner

    async def handle_HELO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str
    ) -> str:  # noqa: N802
        """Refuse while down."""
        if self.owner.is_down:
            self.owner._refused()
            return "421 Service not available, try again later"
        session.host_name = hostname
        return "250 fake-smtp"

    async def handle_EHLO(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        """Refuse while down."""
        if self.owner.is_down:
            self.owner._refused()
            return ["421 Service not available, try again later"]
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        """Record the message (or answer 421 while down, 451 while told to fail)."""
        if self.owner.is_down:
            self.owner._refused()
            return "421 Service not available, try again later"
        if self.owner._take_failure():
            self.owner._refused()
            return "451 Requested action aborted: local error in processing"
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.owner._record(message, list(envelope.rcpt_tos))
        return "250 OK"


class FakeSmtpServer:
    """SMTP on a free local port, recording every message it accepts."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare it (nothing listens until :meth:`start`)."""
        self.host = host
        self._port = port or _free_port(host)
        self._cond = threading.Condition()
        self._messages: list[Message] = []
        self._failures = 0  # how many of the next messages to refuse (451)
        self._refusals = 0  # how many commands were refused, while down or failing
        self.is_down = False
        self._controller = Controller(_Handler(self), hostname=host, port=self._port)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._port

    def start(self) -> None:
        """Listen in a background thread."""
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def down(self) -> None:
        """Answer 421 to every new session (a temporary failure) until :meth:`up`."""
        self.is_down = True

    def up(self) -> None:
        """Accept messages again."""
        self.is_down = False

    def fail_next(self, count: int = 1) -> None:
        """Answer the next ``count`` messages with 451 at DATA (a temporary failure)."""
        with self._cond:
            self._failures += count

    @property
    def refusals(self) -> int:
        """How many commands were refused so far (421 while down, 451 when failing)."""
        with self._cond:
            return self._refusals

    def wait_for_refusals(self, count: int, timeout: float = 30.0) -> int:
        """Block until at least ``count`` refusals happened (``TimeoutError`` otherwise)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._refusals < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._refusals} of {count} refusals happened")
                self._cond.wait(left)
            return self._refusals

    def messages(self, to: str | None = None) -> list[Message]:
        """The accepted messages in order (to ``to``, or all)."""
        with self._cond:
            return [m for m in self._messages if to is None or to in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        """The first ``count`` messages once that many arrived (``TimeoutError`` otherwise)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._messages)} of {count} e-mails arrived")
                self._cond.wait(left)
            return list(self._messages[:count])

    def clear(self) -> None:
        """Forget the recorded messages and refusals; cancel pending failures."""
        with self._cond:
            self._messages.clear()
            self._failures = self._refusals = 0

    def _take_failure(self) -> bool:
        with self._cond:
            if self._failures <= 0:
                return False
            self._failures -= 1
            return True

    def _refused(self) -> None:
        with self._cond:
            self._refusals += 1
            self._cond.notify_all()

    def _record(self, message: Message, rcpt: list[str]) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()
        if self.on_message is not None:
            self.on_message(message)

    on_message: Any = None


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def main() -> None:  # pragma: no cover - manual tool
    """Run the server in the foreground, printing each message's headers."""
    parser = argparse.ArgumentParser(description="A local SMTP server that prints e-mails.")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    server = FakeSmtpServer(port=args.port)
    server.on_message = lambda m: print(f"{m['Message-ID']} to {m['To']}: {m['Subject']}")
    server.start()
    print(f"fake SMTP on 127.0.0.1:{server.port}; Ctrl-C stops")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
