"""Telling the platform which conversations are live (docs/handoff-contract.md).

After an identified user's message the relay calls :meth:`ActivityReporter.seen`; at
most once every :data:`THROTTLE_SECONDS` per conversation (in this process) the platform
hears of it (``POST /internal/conversations/seen``), in a background task: the user's
turn never waits for it and never fails because of it (errors are only logged). Agents
then see the conversation in the console's "Live conversations" and may take it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from cachetools import TTLCache

from bot.identity import Identity
from bot.internal_client import InternalPlatformClient
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

THROTTLE_SECONDS = 20.0
MAX_REMEMBERED = 10_000


class ActivityReporter:
    """Reports conversations' activity to the platform, throttled, fire-and-forget."""

    def __init__(
        self,
        platform: InternalPlatformClient,
        throttle_seconds: float = THROTTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Report through ``platform``; at most once per ``throttle_seconds`` per conversation."""
        self._platform = platform
        # conversations the platform heard of in the last ``throttle_seconds``
        self._told: TTLCache[str, bool] = TTLCache(
            maxsize=MAX_REMEMBERED, ttl=throttle_seconds, timer=clock
        )
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, identity: Identity, language: str | None) -> None:
        """The user of ``identity`` just wrote: tell the platform (unless told lately)."""
        conversation_id = identity.conversation_id
        if conversation_id in self._told:
            return
        self._told[conversation_id] = True
        task = asyncio.create_task(
            self._report(identity, language or "en"), name="conversation-seen"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(self, identity: Identity, language: str) -> None:
        try:
            answer = await self._platform.conversation_seen(
                identity.conversation_id, identity.user_id, identity.channel, language
            )
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("activity of %s not recorded: %s", identity.conversation_id, exc)
            self._told.pop(identity.conversation_id, None)  # try again at the next message
            return
        except Exception:  # never let a background report die silently
            log.exception("activity of %s not recorded", identity.conversation_id)
            return
        if answer is None:
            log.warning("activity of %s not recorded: unknown user", identity.conversation_id)
