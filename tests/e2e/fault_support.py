"""The fault tests' means: TCP proxies in front of the machine's PostgreSQL and Redis
(the production stack's stores go through them, so a test can cut either without
touching the servers), and waiting until the stack answers again."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from bot.config import PRODUCTION_DEFAULTS
from bot.devtools.tcp_proxy import TcpProxy
from bot.devtools.webchat_client import BotTurn, WebChatUser


@dataclass
class Proxies:
    """One proxy per store."""

    postgres: TcpProxy
    redis: TcpProxy

    @classmethod
    def start(cls) -> Proxies:
        """Proxies to the production defaults' PostgreSQL and Redis."""
        database = make_url(str(PRODUCTION_DEFAULTS["database_url"]))
        redis = urlsplit(str(PRODUCTION_DEFAULTS["redis_url"]))
        return cls(
            TcpProxy(database.host or "127.0.0.1", database.port or 5432).start(),
            TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379).start(),
        )

    def stop(self) -> None:
        """Close both."""
        self.postgres.stop()
        self.redis.stop()


def stores_through(proxies: Proxies, env: dict[str, str]) -> dict[str, str]:
    """DATABASE_URL, RASA_TRACKER_URL and REDIS_URL of ``env`` through the proxies."""
    changed = {}
    for name in ("DATABASE_URL", "RASA_TRACKER_URL"):
        url = make_url(env[name]).set(host="127.0.0.1", port=proxies.postgres.port)
        changed[name] = url.render_as_string(hide_password=False)
    redis = urlsplit(str(PRODUCTION_DEFAULTS["redis_url"]))
    changed["REDIS_URL"] = urlunsplit(
        (redis.scheme, f"127.0.0.1:{proxies.redis.port}", redis.path, "", "")
    )
    return changed


async def answered_within(
    user: WebChatUser, text: str, expected: str, seconds: float, step_timeout: float = 20.0
) -> tuple[BotTurn, float]:
    """Say ``text`` until the answer holds ``expected``; that turn and how long it took
    (from the first try). Raises AssertionError after ``seconds``."""
    began = time.monotonic()
    last = ""
    while time.monotonic() - began < seconds:
        try:
            turn = await user.say(text, timeout=step_timeout)
        except asyncio.TimeoutError:
            last = "(no answer)"
            continue
        if expected in turn.text:
            return turn, time.monotonic() - began
        last = turn.text
        await asyncio.sleep(2)
    raise AssertionError(f"no {expected!r} within {seconds:.0f}s; last answer: {last!r}")
