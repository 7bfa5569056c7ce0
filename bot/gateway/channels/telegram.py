"""The Telegram channel (docs/channels-contract.md): webhook or polling, one bot.

``TELEGRAM_MODE`` says how updates arrive:

* ``webhook`` — Telegram POSTs them to ``/telegram/webhook`` with the secret set by
  ``python -m bot.gateway.channels.telegram_setup`` in ``X-Telegram-Bot-Api-Secret-Token``.
  A missing or wrong header (or no secret configured) is a 403 and nothing is processed.
  An update is answered 200 as soon as its ``update_id`` is recorded as received once
  (``POST /internal/channels/receipts``), then processed in the background; the same
  update again is answered 200 and not processed. If the platform cannot record it, the
  answer is 503 and Telegram delivers it again later.
* ``polling`` — for local use: the gateway deletes any webhook and asks ``getUpdates``
  itself until shutdown, with the same de-duplication.
* ``off`` — no route, no bot.

The ``telegram.Bot`` (token and Bot API base URL from the settings) is initialized on
startup and shut down on close; :mod:`.telegram_updates` does the rest.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Coroutine
from contextlib import suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.gateway.channels.telegram_updates import CHANNEL, TelegramUpdates
from bot.gateway.rendering import BotReply
from bot.gateway.runtime import GatewayRuntime
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 256 * 1024
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_SECONDS = 20
POLL_RETRY_MAX_SECONDS = 30.0
MODES = ("off", "webhook", "polling")


class TelegramChannel:
    """The bot, the update processor and the background work of the Telegram channel."""

    def __init__(self, runtime: GatewayRuntime) -> None:
        """Prepare the channel; nothing is opened before :meth:`open`."""
        self._runtime = runtime
        self._bot: Bot | None = None
        self._updates: TelegramUpdates | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._inbound = runtime.arrival_queue(CHANNEL, self._queued, self._spawn)

    @property
    def bot(self) -> Bot:
        """The bot (between :meth:`open` and :meth:`close`)."""
        if self._bot is None:
            raise RuntimeError("the Telegram channel is not open")
        return self._bot

    async def open(self) -> None:
        """Build and initialize the bot (``getMe``); a Bot API that cannot be reached
        now is logged and tried again on each call, so the gateway still starts."""
        settings = self._runtime.settings
        self._bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url,
            request=HTTPXRequest(connection_pool_size=64),
            get_updates_request=HTTPXRequest(
                connection_pool_size=1, read_timeout=POLL_TIMEOUT_SECONDS + 10
            ),
        )
        self._updates = TelegramUpdates(self._runtime, self._bot)
        try:
            await self._bot.initialize()
        except TelegramError as exc:
            log.error("telegram: the Bot API did not accept getMe: %s", exc)

    async def close(self) -> None:
        """Cancel the updates still being processed and shut the bot down."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._bot is not None:
            await self._bot.shutdown()
        self._bot = self._updates = None

    async def first_time(self, update_id: int) -> bool:
        """Whether this update is seen for the first time (recorded on the platform).

        Raises:
            PlatformUnavailable: the platform could not record it (nothing was).
        """
        try:
            return await self._runtime.platform.first_receipt(CHANNEL, str(update_id))
        except PlatformError as exc:
            raise PlatformUnavailable(f"receipt refused: {exc}") from exc

    async def accept(self, update: Update) -> None:
        """Process ``update`` in the background, after its chat's earlier updates
        (whichever gateway process got them)."""
        if self._updates is None:
            return
        chat = update.effective_chat
        await self._inbound.accept(str(chat.id if chat else 0), update.to_dict())

    async def _queued(self, raw: dict[str, Any]) -> None:
        if self._updates is not None:
            await self._updates.process(Update.de_json(raw, self.bot))

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = self._runtime.spawn(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, conversation_id: str, replies: list[BotReply]) -> None:
        """The runtime's delivery for ``telegram:`` conversations (continuations)."""
        if self._updates is None:
            log.warning("telegram delivery to %s dropped: channel closed", conversation_id)
            return
        await self._updates.deliver(conversation_id, replies)


def install(app: FastAPI, runtime: GatewayRuntime) -> None:
    """Add the Telegram webhook route (or polling) and delivery to the gateway.

    Raises:
        ValueError: an unknown ``TELEGRAM_MODE``, or no ``TELEGRAM_BOT_TOKEN`` for a
            mode that needs one.
    """
    settings = runtime.settings
    mode = settings.telegram_mode.strip().lower()
    if mode not in MODES:
        raise ValueError(f"TELEGRAM_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return
    if not settings.telegram_bot_token.get_secret_value():
        raise ValueError(f"TELEGRAM_MODE={mode} needs TELEGRAM_BOT_TOKEN")
    channel = TelegramChannel(runtime)
    app.state.telegram = channel
    runtime.register_channel(CHANNEL, channel.deliver)
    if mode == "webhook":
        if not settings.telegram_webhook_secret.get_secret_value():
            log.error("telegram: TELEGRAM_WEBHOOK_SECRET is empty, every update is refused")
        runtime.on_lifecycle(channel.open, channel.close)
        _add_webhook(app, runtime, channel)
    else:
        poller = Poller(channel)
        runtime.on_lifecycle(poller.start, poller.stop)


def _add_webhook(app: FastAPI, runtime: GatewayRuntime, channel: TelegramChannel) -> None:
    @app.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> JSONResponse:
        """Check the secret token, record the update once, process it in the background."""
        expected = runtime.settings.telegram_webhook_secret.get_secret_value()
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return _status(403, "forbidden")
        raw = await _body(request)
        if raw is None:
            return _status(413, "too_large")
        try:
            update = Update.de_json(json.loads(raw), channel.bot)
        except Exception as exc:  # noqa: BLE001 - anything unparsable is a bad request
            log.info("telegram webhook: unreadable update: %s", type(exc).__name__)
            return _status(400, "bad_request")
        try:
            first = await channel.first_time(update.update_id)
        except PlatformUnavailable as exc:
            log.warning("telegram webhook: update not recorded, retry expected: %s", exc)
            return _status(503, "unavailable")
        if first:
            await channel.accept(update)
        return JSONResponse({"ok": True})


async def _body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than :data:`MAX_UPDATE_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _status(status: int, code: str) -> JSONResponse:
    return JSONResponse({"ok": False, "detail": {"code": code}}, status_code=status)


class Poller:
    """``getUpdates`` in a loop, from startup to shutdown (polling mode)."""

    def __init__(self, channel: TelegramChannel) -> None:
        """Poll for ``channel``."""
        self._channel = channel
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the channel and start polling in the background."""
        await self._channel.open()
        self._task = asyncio.create_task(self._loop(), name="telegram polling")

    async def stop(self) -> None:
        """Stop polling, then close the channel."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._channel.close()

    async def _loop(self) -> None:
        bot = self._channel.bot
        webhook_deleted = False
        offset: int | None = None
        delay = 1.0
        while True:
            try:
                if not webhook_deleted:
                    webhook_deleted = await bot.delete_webhook()
                updates = await bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=ALLOWED_UPDATES
                )
                for update in updates:
                    if await self._channel.first_time(update.update_id):
                        await self._channel.accept(update)
                    offset = update.update_id + 1
                delay = 1.0
            except (TelegramError, PlatformUnavailable) as exc:
                log.warning("telegram polling: %s; retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_RETRY_MAX_SECONDS)
