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
from collections import OrderedDict
from collections.abc import Callable

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
        self._throttle = throttle_seconds
        self._clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, identity: Identity, language: str | None) -> None:
        """The user of ``identity`` just wrote: tell the platform (unless told lately)."""
        conversation_id = identity.conversation_id
        now = self._clock()
        last = self._last.get(conversation_id)
        if last is not None and now - last < self._throttle:
            return
        self._last[conversation_id] = now
        self._last.move_to_end(conversation_id)
        while len(self._last) > MAX_REMEMBERED:
            self._last.popitem(last=False)
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
            self._last.pop(identity.conversation_id, None)  # try again at the next message
            return
        except Exception:  # never let a background report die silently
            log.exception("activity of %s not recorded", identity.conversation_id)
            return
        if answer is None:
            log.warning("activity of %s not recorded: unknown user", identity.conversation_id)
