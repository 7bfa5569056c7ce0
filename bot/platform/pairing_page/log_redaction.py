"""Keep pairing-link tokens out of the access log (the token in the path is a capability)."""

from __future__ import annotations

from bot.platform.one_time_page import TokenPathFilter, redact_token_paths

PREFIX = "/pair/"


def redact_path(text: str) -> str:
    """``text`` with every ``/pair/<token>`` path's token replaced."""
    return redact_token_paths(text, PREFIX)


class PairingTokenFilter(TokenPathFilter):
    """Rewrites log records so that no pairing token reaches a log handler."""

    prefix = PREFIX


install = PairingTokenFilter.install
"""Attach the filter to the server's loggers (once per logger)."""
