"""What every one-time page (a link whose token in the path is the capability) shares.

The pairing page (``/pair/{token}``) and the OTO setup page (``/oto-setup/{token}``) use
the same security headers, read their small URL-encoded forms the same way, answer an
unknown or used link in the link's or the browser's language, and keep the token out of
the server's logs.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

from fastapi import Request

from bot.platform.languages import LANGUAGES

SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
}
"""No caching (the page holds a capability), no referrer, no framing, no outside resources."""

SERVER_LOGGERS: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")
"""The loggers a token in a request path could reach."""


async def read_form(request: Request, max_bytes: int) -> dict[str, str] | None:
    """The URL-encoded form fields (first value of each), or ``None`` when unreadable.

    Args:
        request: The page's POST request.
        max_bytes: The largest body accepted; a bigger one is refused (``None``).
    """
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items() if values}


def page_language(known: str | None, request: Request) -> str:
    """The language of a page: ``known`` (the link's), else the browser's, else English."""
    if known:
        return known
    for part in request.headers.get("accept-language", "").split(","):
        lang = part.split(";", 1)[0].strip().split("-", 1)[0].lower()
        if lang in LANGUAGES:
            return lang
    return "en"


class TokenPathFilter(logging.Filter):
    """Rewrites log records so that no token of a ``{prefix}<token>`` path reaches a log
    handler; a page's subclass names its ``prefix`` (e.g. ``"/pair/"``)."""

    prefix = "/"

    def redact(self, text: str) -> str:
        """``text`` with every ``{prefix}<token>`` path's token replaced."""
        return redact_token_paths(text, self.prefix)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and its string arguments; always keep the record."""
        if isinstance(record.msg, str) and self.prefix in record.msg:
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.redact(arg) if isinstance(arg, str) and self.prefix in arg else arg
                for arg in record.args
            )
        return True

    @classmethod
    def install(cls, logger_names: tuple[str, ...] = SERVER_LOGGERS) -> None:
        """Attach this filter to the server's loggers (once per logger)."""
        for name in logger_names:
            logger = logging.getLogger(name)
            if not any(isinstance(existing, cls) for existing in logger.filters):
                logger.addFilter(cls())


def redact_token_paths(text: str, prefix: str) -> str:
    """``text`` with the token of every ``{prefix}<token>`` path replaced by ``<token>``."""
    return re.sub(re.escape(prefix) + r"[^/\s?\"]+", f"{prefix}<token>", text)
