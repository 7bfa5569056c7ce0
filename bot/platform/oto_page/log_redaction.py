"""Keep OTO setup-link tokens out of the logs (the token in the path is a capability)."""

from __future__ import annotations

from bot.platform.one_time_page import TokenPathFilter, redact_token_paths

PREFIX = "/oto-setup/"


def redact_path(text: str) -> str:
    """``text`` with every ``/oto-setup/<token>`` path's token replaced."""
    return redact_token_paths(text, PREFIX)


class OtoSetupTokenFilter(TokenPathFilter):
    """Rewrites log records so that no OTO setup-link token reaches a log handler."""

    prefix = PREFIX


install = OtoSetupTokenFilter.install
"""Attach the filter to the server's loggers (once per logger)."""
