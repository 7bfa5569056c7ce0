"""Log lines of every process: text for people (default) or, with LOG_FORMAT=json, one JSON
object per line (python-json-logger) carrying the conversation id and the request id of
the work it belongs to.

The ids live in context variables: the gateway sets them for each user message (a new
request id, passed on to the platform and to Rasa in the message metadata), the
platform from the ``X-Request-Id`` / ``X-Conversation-Id`` headers, the action server
from the tracker; every log line written meanwhile carries them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx
from pythonjsonlogger.json import JsonFormatter

CONVERSATION_ID: ContextVar[str] = ContextVar("conversation_id", default="")
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
REQUEST_HEADER = "X-Request-Id"
CONVERSATION_HEADER = "X-Conversation-Id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_UVICORN = ("uvicorn", "uvicorn.error")  # uvicorn.access stays as --no-access-log left it
_QUIET = ("httpx", "httpcore")  # a line per HTTP call: only their warnings


class ContextIds(logging.Filter):
    """Adds ``conversation_id`` and ``request_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record (always kept)."""
        record.conversation_id = CONVERSATION_ID.get()
        record.request_id = REQUEST_ID.get()
        return True


def new_request_id() -> str:
    """A fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


@contextmanager
def log_context(conversation_id: str | None = None, request_id: str | None = None) -> Iterator[str]:
    """Within the block, log lines carry these ids (a new request id when none is given);
    yields the request id."""
    request = request_id or new_request_id()
    tokens = [REQUEST_ID.set(request)]
    if conversation_id is not None:
        tokens.append(CONVERSATION_ID.set(conversation_id))
    try:
        yield request
    finally:
        for token in reversed(tokens):
            token.var.reset(token)


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send every log record (uvicorn's too) to stderr in ``log_format`` (text | json)."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextIds())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(conversation_id)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _UVICORN:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


async def stamp_request(request: httpx.Request) -> None:
    """httpx request hook: pass the current ids on to the platform (its log lines then
    carry them too)."""
    if REQUEST_ID.get():
        request.headers[REQUEST_HEADER] = REQUEST_ID.get()
    if CONVERSATION_ID.get():
        request.headers[CONVERSATION_HEADER] = CONVERSATION_ID.get()
