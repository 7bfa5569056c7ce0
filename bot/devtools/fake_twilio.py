"""A local stand-in for Twilio's REST API (Messages), for tests and for trying SMS locally.

It speaks the real protocol, so the official ``twilio`` client talks to it unchanged
(point ``TWILIO_API_BASE_URL`` at :attr:`FakeTwilioServer.url`):

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded ``To``,
  ``From``, ``Body``, HTTP Basic auth with the account SID and the auth token (any
  token is accepted, and recorded) → ``201`` and a Message resource (``sid`` ``SM…``,
  ``status`` ``queued``, ``to``, ``from``, ``body``, ``date_created``,
  ``num_segments``…);
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`` → that resource;
* errors as Twilio's JSON (``{"code", "message", "more_info", "status"}``): another
  account → 404 (20404), no credentials → 401 (20003), no ``To`` (21604), no
  ``From`` (21603), no ``Body`` (21602), a body over 1,600 characters (21617) → 400;
  :meth:`FakeTwilioServer.fail_next` makes the next sends answer 500 (20500).

It runs uvicorn in a background thread on a free port of 127.0.0.1::

    server = FakeTwilioServer("AC…")
    server.start()
    ...  # the code under test sends SMS
    [reply] = server.wait_for_messages("+15550000001", 1)
    server.stop()

Or on its own, printing every message it receives:
``python -m bot.devtools.fake_twilio --port 8790`` (the account SID comes from the
settings), with the gateway started with ``TWILIO_API_BASE_URL=http://127.0.0.1:8790``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

API_VERSION = "2010-04-01"
MAX_BODY_CHARS = 1_600
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """How many SMS segments Twilio would bill for ``body`` (GSM-7 or UCS-2)."""
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in body):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    """An error answer shaped like Twilio's."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)


@dataclass
class SentMessage:
    """One message the stand-in accepted (or refused, with ``status_code``)."""

    to: str
    from_: str
    body: str
    account_sid: str
    auth_token: str
    sid: str = ""
    status_code: int = 201
    resource: dict[str, Any] = field(default_factory=dict)

    def short(self) -> dict[str, str]:
        """``{"to", "from", "body"}``."""
        return {"to": self.to, "from": self.from_, "body": self.body}


class FakeTwilioServer:
    """Twilio's Messages API on a free local port, recording what it is sent."""

    def __init__(self, account_sid: str, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare the server (nothing listens until :meth:`start`).

        Args:
            account_sid: the only account that exists here (``AC…``).
            host: the address to listen on (keep it local).
            port: the port (0: a free one).
        """
        self.account_sid = account_sid
        self._host = host
        self._port = port
        self._cond = threading.Condition()
        self._sent: list[SentMessage] = []  # accepted messages, in order
        self._calls: list[SentMessage] = []  # every send, including refused ones
        self._fail: list[int] = []  # statuses of the next sends to fail
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.on_message: Callable[[SentMessage], None] | None = None
        self.app = self._build_app()

    # --- lifecycle --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:<port>``), for ``TWILIO_API_BASE_URL``."""
        if self._socket is None:
            raise RuntimeError("the fake Twilio server is not started")
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self, timeout: float = 10.0) -> None:
        """Listen in a background thread; return once the server accepts connections."""
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        self._socket = sock
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="fake-twilio", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake Twilio server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop listening and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = None

    # --- what tests look at -----------------------------------------------------------

    def messages(self, to: str | None = None) -> list[dict[str, str]]:
        """The accepted messages (``{"to", "from", "body"}``) in order, to ``to`` or all."""
        with self._cond:
            return [m.short() for m in self._sent if to is None or m.to == to]

    def calls(self) -> list[SentMessage]:
        """Every send request, accepted or not, with the credentials it carried."""
        with self._cond:
            return list(self._calls)

    def wait_for_messages(self, to: str, count: int, timeout: float = 30.0) -> list[dict[str, str]]:
        """The first ``count`` messages to ``to``, once that many have arrived.

        Raises:
            TimeoutError: fewer arrived within ``timeout`` seconds (the message lists them).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m.short() for m in self._sent if m.to == to]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(found)} of {count} SMS to {to} arrived: {found}")
                self._cond.wait(left)

    def clear(self) -> None:
        """Forget every recorded message and call (pending failures stay)."""
        with self._cond:
            self._sent.clear()
            self._calls.clear()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` sends with ``status`` (a Twilio error), recording them."""
        with self._cond:
            self._fail.extend([status] * count)

    # --- the API ----------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        prefix = f"/{API_VERSION}/Accounts/{{account_sid}}"

        @app.post(prefix + "/Messages.json")
        async def create_message(account_sid: str, request: Request) -> JSONResponse:
            return self._create(account_sid, request, await request.body())

        @app.get(prefix + "/Messages/{message_sid}.json")
        async def fetch_message(account_sid: str, message_sid: str, request: Request) -> Any:
            refused = self._refuse(account_sid, request)
            if refused is not None:
                return refused
            with self._cond:
                for sent in self._sent:
                    if sent.sid == message_sid:
                        return JSONResponse(sent.resource)
            return twilio_error(
                404, 20404, f"The requested resource {request.url.path} was not found"
            )

        return app

    def _refuse(self, account_sid: str, request: Request) -> JSONResponse | None:
        """Twilio's error answer when the credentials or the account are wrong, else None.

        Any auth token is accepted; the username must be this server's account SID.
        """
        username, _ = _basic_auth(request.headers.get("authorization", ""))
        if username is None:
            return twilio_error(401, 20003, "Authenticate")
        if account_sid != self.account_sid or username != account_sid:
            return twilio_error(
                404, 20404, f"The requested resource {request.url.path} was not found"
            )
        return None

    def _create(self, account_sid: str, request: Request, raw: bytes) -> JSONResponse:
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        _, token = _basic_auth(request.headers.get("authorization", ""))
        call = SentMessage(
            to=form.get("To", ""),
            from_=form.get("From", ""),
            body=form.get("Body", ""),
            account_sid=account_sid,
            auth_token=token or "",
        )
        error = self._refuse(account_sid, request) or self._validate(call)
        if error is None:
            with self._cond:
                failing = self._fail.pop(0) if self._fail else None
            if failing is not None:
                error = twilio_error(failing, 20500, "Internal Server Error")
        if error is not None:
            call.status_code = error.status_code
            with self._cond:
                self._calls.append(call)
                self._cond.notify_all()
            return error
        call.sid = "SM" + secrets.token_hex(16)
        call.resource = self._resource(call)
        with self._cond:
            self._calls.append(call)
            self._sent.append(call)
            self._cond.notify_all()
        if self.on_message is not None:
            self.on_message(call)
        return JSONResponse(call.resource, status_code=201)

    @staticmethod
    def _validate(call: SentMessage) -> JSONResponse | None:
        if not call.to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not call.from_:
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not call.body:
            return twilio_error(400, 21602, "Message body is required.")
        if len(call.body) > MAX_BODY_CHARS:
            return twilio_error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        return None

    @staticmethod
    def _resource(call: SentMessage) -> dict[str, Any]:
        now = format_datetime(datetime.now(timezone.utc).replace(microsecond=0), usegmt=False)
        uri = f"/{API_VERSION}/Accounts/{call.account_sid}/Messages/{call.sid}"
        return {
            "account_sid": call.account_sid,
            "api_version": API_VERSION,
            "body": call.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": call.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(num_segments(call.body)),
            "price": None,
            "price_unit": "USD",
            "sid": call.sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": call.to,
            "uri": f"{uri}.json",
        }


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    """``(username, password)`` of an HTTP Basic ``Authorization`` header, or Nones."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    username, separator, password = decoded.partition(":")
    return (username, password) if separator else (None, None)


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground, printing every message it receives."""
    from bot.config import get_settings  # only the command line needs the settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--account-sid", default="", help="default: TWILIO_ACCOUNT_SID")
    args = parser.parse_args(argv)
    sid = args.account_sid or get_settings().twilio_account_sid
    if not sid:
        parser.error("no account SID: pass --account-sid or set TWILIO_ACCOUNT_SID")
    server = FakeTwilioServer(sid, port=args.port)
    server.on_message = lambda m: print(f"SMS {m.from_} → {m.to}:\n{m.body}\n", flush=True)
    server.start()
    print(f"fake Twilio listening on {server.url} (account {sid}); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
