"""A local stand-in for Telegram's Bot API, speaking its HTTP protocol (tests and demos).

``POST`` or ``GET /bot<token>/<method>`` with parameters as a query string, JSON, a
url-encoded form or multipart form data (python-telegram-bot sends forms whose
non-string values are JSON), answered ``{"ok": true, "result": ...}`` with objects
shaped like Telegram's; a wrong token is ``401 Unauthorized``, an unknown method
``404``, a bad request ``400`` with Telegram's descriptions (empty or over-long text,
``callback_data`` over 64 bytes). Every call is recorded, and updates pushed with
:meth:`FakeTelegramServer.push_update` are served by ``getUpdates`` honouring
``offset`` (long polling up to its ``timeout``).

It runs uvicorn in a background thread on a free port of 127.0.0.1::

    server = FakeTelegramServer("123:ABC")
    server.start()
    bot = telegram.Bot("123:ABC", base_url=server.url + "/bot")
    ...
    server.wait_for("sendMessage", lambda p: p["chat_id"] == 42)
    server.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_ID = 7_000_000_001
BOT_USERNAME = "merchant_assistant_test_bot"
MAX_TEXT_UNITS = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_POLL_SECONDS = 50.0
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "url",
        "secret_token",
        "callback_query_id",
        "action",
        "parse_mode",
        "ip_address",
        "inline_message_id",
    }
)
"""Parameters kept as sent; any other form value that reads as JSON is decoded."""

Params = dict[str, Any]
Predicate = Callable[[Params], bool]


class FakeTelegramServer:
    """A Bot API stand-in on a free local port, recording every call."""

    def __init__(self, token: str, host: str = "127.0.0.1") -> None:
        """Prepare the server (nothing listens before :meth:`start`).

        Args:
            token: the only bot token it accepts.
            host: where it listens.
        """
        self.token = token
        self._host = host
        self._port = 0
        self._calls: list[Params] = []
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._message_ids = itertools.count(1)
        self._webhook: dict[str, Any] = {"url": ""}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        route = Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])
        self.app = Starlette(routes=[route])

    # --- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:PORT`` (PTB: ``url + "/bot"``)."""
        if not self._port:
            raise RuntimeError("the fake Telegram server is not started")
        return f"http://{self._host}:{self._port}"

    def start(self) -> None:
        """Listen on a free port in a background thread; returns once it serves."""
        sock = socket.socket()
        sock.bind((self._host, 0))
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._stopping = False

        def run() -> None:
            assert self._server is not None
            asyncio.run(self._server.serve(sockets=[sock]))
            sock.close()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake Telegram server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (long polls end at once) and wait for the thread."""
        self._stopping = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    # --- what tests use --------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Params]:
        """The recorded calls ``{"method", "params"}``, in order (of ``method`` only)."""
        with self._lock:
            return [dict(c) for c in self._calls if method is None or c["method"] == method]

    def wait_for(
        self, method: str, predicate: Predicate | None = None, timeout: float = 10.0
    ) -> Params:
        """The first recorded call of ``method`` whose params satisfy ``predicate``.

        Raises:
            TimeoutError: no such call within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for call in self._calls:
                    if call["method"] == method and (
                        predicate is None or predicate(call["params"])
                    ):
                        return dict(call)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c["method"] for c in self._calls]
                    raise TimeoutError(f"no matching {method} call; calls so far: {seen}")
                self._lock.wait(remaining)

    def clear(self) -> None:
        """Forget the recorded calls (queued updates stay)."""
        with self._lock:
            self._calls.clear()

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (polling)."""
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    @property
    def webhook(self) -> dict[str, Any]:
        """What the last ``setWebhook`` set (``url``, ``secret_token``, ...)."""
        with self._lock:
            return dict(self._webhook)

    # --- the protocol ----------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        try:
            params = await _params(request)
        except ValueError as exc:
            return _error(400, f"Bad Request: {exc}")
        with self._lock:
            self._calls.append({"method": method, "params": params})
            self._lock.notify_all()
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            result = await handler(params)
        except ValueError as exc:
            return _error(400, f"Bad Request: {exc}")
        return JSONResponse({"ok": True, "result": result})

    async def _m_getme(self, params: Params) -> dict[str, Any]:
        return _bot_user()

    async def _m_sendmessage(self, params: Params) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message_text = params.get("text")
        if not isinstance(message_text, str) or not message_text.strip():
            raise ValueError("message text is empty")
        if len(message_text.encode("utf-16-le")) // 2 > MAX_TEXT_UNITS:
            raise ValueError("message is too long")
        markup = params.get("reply_markup")
        _check_markup(markup)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _bot_user(),
            "text": message_text,
        }
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        return message

    async def _m_sendchataction(self, params: Params) -> bool:
        _chat_id(params)
        if not params.get("action"):
            raise ValueError("wrong parameter action in request")
        return True

    async def _m_answercallbackquery(self, params: Params) -> bool:
        if not params.get("callback_query_id"):
            raise ValueError("query is too old and response timeout expired or query ID is invalid")
        return True

    async def _m_editmessagereplymarkup(self, params: Params) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message = {
            "message_id": int(params.get("message_id") or 0),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "text": "",
        }
        return message

    async def _m_deletewebhook(self, params: Params) -> bool:
        with self._lock:
            self._webhook = {"url": ""}
        return True

    async def _m_setwebhook(self, params: Params) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ValueError("bad webhook: An HTTPS URL must be provided for webhook")
        with self._lock:
            self._webhook = {k: v for k, v in params.items() if k != "certificate"}
        return True

    async def _m_getwebhookinfo(self, params: Params) -> dict[str, Any]:
        with self._lock:
            url = self._webhook.get("url", "")
            pending = len(self._updates)
        return {"url": url, "has_custom_certificate": False, "pending_update_count": pending}

    async def _m_getupdates(self, params: Params) -> list[dict[str, Any]]:
        with self._lock:
            if self._webhook.get("url"):
                raise ValueError("Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:  # confirms every update before ``offset``
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or self._stopping or time.monotonic() >= deadline:
                limit = int(params.get("limit") or 100)
                return ready[:limit]
            await asyncio.sleep(0.02)


async def _params(request: Request) -> Params:
    """The call's parameters, however python-telegram-bot (or curl) sent them."""
    params: Params = dict(request.query_params)
    if request.method != "POST":
        return {k: _decode(k, v) for k, v in params.items()}
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" and body:
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("parameters must be a JSON object")
        return {**params, **loaded}
    if kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        params.update(_multipart(request.headers["content-type"], body))
    return {k: _decode(k, v) for k, v in params.items()}


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a multipart body (a file field records its file name)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = f"<file {filename}>" if filename else payload.decode("utf-8")
    return fields


def _decode(name: str, value: Any) -> Any:
    """A form value as Telegram reads it: JSON for non-string parameters."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _chat_id(params: Params) -> int | str:
    chat_id = params.get("chat_id")
    if isinstance(chat_id, bool) or not isinstance(chat_id, int | str) or chat_id == "":
        raise ValueError("chat not found")
    return chat_id


def _chat(chat_id: int | str) -> dict[str, Any]:
    if isinstance(chat_id, int) and chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    if isinstance(chat_id, int):
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {"id": -1001, "type": "channel", "title": str(chat_id)}


def _check_markup(markup: Any) -> None:
    """Refuse what Telegram refuses in an inline keyboard."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise ValueError("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ValueError("BUTTON_DATA_INVALID")


def _bot_user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Merchant Assistant",
        "username": BOT_USERNAME,
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": status, "description": description}, status_code=status
    )
