"""Keep pairing-link tokens out of the access log (the token in the path is a capability)."""

from __future__ import annotations

import logging
import re

_PAIR_PATH = re.compile(r"/pair/[^/\s?\"]+")
REDACTED = "/pair/<token>"


def redact_path(text: str) -> str:
    """``text`` with every ``/pair/<token>`` path's token replaced."""
    return _PAIR_PATH.sub(REDACTED, text)


class PairingTokenFilter(logging.Filter):
    """Rewrites log records so that no pairing token reaches a log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and its string arguments; always keep the record."""
        if isinstance(record.msg, str) and "/pair/" in record.msg:
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) and "/pair/" in arg else arg
                for arg in record.args
            )
        return True


def install(logger_names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")) -> None:
    """Attach the filter to the server's loggers (once per logger)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, PairingTokenFilter) for existing in logger.filters):
            logger.addFilter(PairingTokenFilter())
