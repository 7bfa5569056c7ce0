"""Keep OTO setup-link tokens out of the logs (the token in the path is a capability)."""

from __future__ import annotations

import logging
import re

_OTO_PATH = re.compile(r"/oto-setup/[^/\s?\"]+")
REDACTED = "/oto-setup/<token>"
LOGGERS: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")


def redact_path(text: str) -> str:
    """``text`` with every ``/oto-setup/<token>`` path's token replaced."""
    return _OTO_PATH.sub(REDACTED, text)


class OtoSetupTokenFilter(logging.Filter):
    """Rewrites log records so that no OTO setup-link token reaches a log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and its string arguments; always keep the record."""
        if isinstance(record.msg, str) and "/oto-setup/" in record.msg:
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) and "/oto-setup/" in arg else arg
                for arg in record.args
            )
        return True


def install(logger_names: tuple[str, ...] = LOGGERS) -> None:
    """Attach the filter to the server's loggers (once per logger)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, OtoSetupTokenFilter) for existing in logger.filters):
            logger.addFilter(OtoSetupTokenFilter())
