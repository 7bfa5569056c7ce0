"""What the Telegram channel does with one update, and how replies reach a chat.

Only private chats are served. In a group, a command (``/…``) gets a one-line "talk to
me privately" note and everything else is ignored, so the bot never speaks about a
merchant where others can read it.

Who is talking comes from Telegram's ``from`` user, looked up on the platform
(:meth:`InternalPlatformClient.telegram_user`); the conversation is
``telegram:<user id>:<chat id>``. In a private chat:

* ``/start <code>`` links the Telegram account with a one-time code minted for a user
  (``POST /internal/telegram/links``), then welcomes them in their language;
* a shared contact links it when the contact is the sender's own (``contact.user_id`` is
  the sender) and its phone is a verified user phone;
* an unlinked sender gets general help and how to link (both ways) in the language of
  their Telegram app (en/fr/es, else en) — nothing about any organization — and
  nothing reaches Rasa;
* ``/unlink`` unlinks; any other text of a linked user — ``/…`` included — goes to the
  relay, which neutralises it; a callback query's data goes to the relay as a message,
  which resolves it only if the gateway issued that id in that conversation.

A typing action is shown while the relay works; callback queries are always answered.
Updates of one chat are processed one at a time, in the order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import RetryAfter, TelegramError

from bot.gateway.channels.telegram_texts import language_of, text
from bot.gateway.conversations import ConversationLocks, parse_conversation_id
from bot.gateway.render_telegram import to_telegram
from bot.gateway.rendering import BotReply
from bot.gateway.runtime import GatewayRuntime
from bot.identity import Identity
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TYPING_EVERY_SECONDS = 4.0  # Telegram shows a chat action for about 5 seconds
MAX_RETRY_AFTER_SECONDS = 30.0
MAX_CODE_CHARS = 64  # a deep-link start parameter is at most 64 characters
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
"""Link previews are off: Telegram's crawler must never open a one-time pairing link."""

ReplyMarkup = Any  # InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def conversation_id(user_id: int, chat_id: int) -> str:
    """The conversation id of a linked user's chat: ``telegram:<user id>:<chat id>``."""
    return f"{CHANNEL}:{int(user_id)}:{int(chat_id)}"


def command_of(message_text: str) -> tuple[str, str]:
    """The command (lower case, without ``/`` or ``@botname``) and its argument.

    >>> command_of("/start AbC123")
    ('start', 'AbC123')
    >>> command_of("/Start@merchant_bot")
    ('start', '')
    >>> command_of("status")
    ('', '')
    """
    stripped = message_text.strip()
    if not stripped.startswith("/"):
        return "", ""
    word, _, argument = stripped[1:].partition(" ")
    return word.split("@", 1)[0].lower(), argument.strip()


def e164(phone: str) -> str:
    """A contact's phone as E.164: Telegram often leaves out the ``+``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits}" if digits else ""


class TelegramUpdates:
    """Processes updates with the gateway's runtime and delivers replies through the bot."""

    def __init__(self, runtime: GatewayRuntime, bot: Bot) -> None:
        """Bind to the runtime (opened) and an initialized bot.

        Args:
            runtime: the gateway's shared clients and relay.
            bot: the python-telegram-bot ``Bot`` replies are sent with.
        """
        self._runtime = runtime
        self._bot = bot
        self._chats = ConversationLocks()

    async def process(self, update: Update) -> None:
        """Handle one (already de-duplicated) update; other kinds of update are ignored."""
        if update.callback_query is not None:
            await self._on_callback(update.callback_query)
        elif update.message is not None:
            await self._on_message(update.message)

    # --- inbound -------------------------------------------------------------------

    async def _on_message(self, message: Message) -> None:
        sender = message.from_user
        if sender is None or sender.is_bot:
            return
        if message.chat.type != ChatType.PRIVATE:
            if (message.text or "").startswith("/"):
                lang = language_of(sender.language_code)
                await self._send(message.chat.id, text("private_only", lang))
            return
        async with self._chats.hold(str(message.chat.id)):
            await self._on_private_message(message, sender)

    async def _on_private_message(self, message: Message, sender: User) -> None:
        chat_id = message.chat.id
        lang = language_of(sender.language_code)
        if message.contact is not None:
            await self._link_by_contact(message, sender, lang)
            return
        command, argument = command_of(message.text or "")
        if command == "start" and argument:
            await self._link_by_code(argument[:MAX_CODE_CHARS], sender, chat_id, lang)
            return
        user = await self._linked_user(sender, chat_id, lang)
        if user is None:
            return
        user_lang = str(user.get("language") or lang)
        if message.text is None:
            await self._send(chat_id, text("text_only", user_lang))
        elif command == "start":
            await self._send(chat_id, text("already_linked", user_lang, name=_name(user)))
        elif command == "unlink":
            await self._unlink(sender, chat_id, user_lang)
        else:
            await self._relay(user, chat_id, message.text)

    async def _on_callback(self, query: CallbackQuery) -> None:
        message = query.message
        try:
            await self._bot.answer_callback_query(query.id)
        except TelegramError as exc:
            log.info("could not answer callback query: %s", exc)
        if message is None or query.data is None or query.from_user.is_bot:
            return  # inline-mode messages and games: nothing of ours
        chat_id = message.chat.id
        lang = language_of(query.from_user.language_code)
        if message.chat.type != ChatType.PRIVATE:
            return
        async with self._chats.hold(str(chat_id)):
            user = await self._linked_user(query.from_user, chat_id, lang)
            if user is not None:
                await self._relay(user, chat_id, query.data)

    async def _linked_user(self, sender: User, chat_id: int, lang: str) -> dict[str, Any] | None:
        """The platform user this Telegram account is linked to; None (and the help for
        unlinked chats, or an apology) otherwise."""
        try:
            user = await self._runtime.platform.telegram_user(sender.id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("telegram user lookup failed: %s", exc)
            await self._send(chat_id, text("unavailable", lang))
            return None
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            await self._send_help(chat_id, lang)
            return None
        return user

    async def _relay(self, user: dict[str, Any], chat_id: int, message: str) -> None:
        """Hand a linked user's message (or button id) to the relay, typing meanwhile."""
        identity = Identity(int(user["id"]), conversation_id(user["id"], chat_id), CHANNEL)

        async def deliver(replies: list[BotReply]) -> None:
            await self.send_replies(chat_id, replies)

        async with self._typing(chat_id):
            language = str(user.get("language") or "")
            await self._runtime.relay.handle(identity, message, language, deliver)

    # --- linking -------------------------------------------------------------------

    async def _link_by_code(self, code: str, sender: User, chat_id: int, lang: str) -> None:
        platform = self._runtime.platform
        linking = platform.link_telegram(code, sender.id, chat_id)
        await self._link(linking, chat_id, lang, "invalid_code", "code")

    async def _link_by_contact(self, message: Message, sender: User, lang: str) -> None:
        contact = message.contact
        chat_id = message.chat.id
        if contact is None or contact.user_id != sender.id:
            await self._send(chat_id, text("contact_not_yours", lang))
            return
        phone = e164(contact.phone_number)
        linking = self._runtime.platform.link_telegram_contact(phone, sender.id, chat_id)
        await self._link(linking, chat_id, lang, "unknown_phone", "contact")

    async def _link(
        self,
        linking: Awaitable[dict[str, Any] | None],
        chat_id: int,
        lang: str,
        refused: str,
        how: str,
    ) -> None:
        """Await the platform's linking call; welcome the user, or say why not."""
        try:
            user = await linking
        except PlatformUnavailable as exc:
            log.warning("telegram link by %s failed, platform unreachable: %s", how, exc)
            await self._send(chat_id, text("unavailable", lang))
            return
        except PlatformError as exc:
            if exc.status >= 500:
                await self._send(chat_id, text("unavailable", lang))
                return
            user = None
        if not isinstance(user, dict):
            await self._send(chat_id, text(refused, lang))
            return
        log.info("telegram account linked to user %s by %s", user.get("id"), how)
        await self._welcome(chat_id, user, lang)

    async def _welcome(self, chat_id: int, user: dict[str, Any], lang: str) -> None:
        user_lang = str(user.get("language") or lang)
        welcome = text("linked", user_lang, name=_name(user))
        await self._send(chat_id, welcome, ReplyKeyboardRemove())

    async def _unlink(self, sender: User, chat_id: int, lang: str) -> None:
        try:
            await self._runtime.platform.unlink_telegram(sender.id)
        except (PlatformError, PlatformUnavailable) as exc:
            if not (isinstance(exc, PlatformError) and exc.status == 404):
                log.warning("telegram unlink failed: %s", exc)
                await self._send(chat_id, text("unavailable", lang))
                return
        await self._send(chat_id, text("unlinked", lang))

    async def _send_help(self, chat_id: int, lang: str) -> None:
        share = KeyboardButton(text("share_contact", lang), request_contact=True)
        keyboard = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
        await self._send(chat_id, text("help_unlinked", lang), keyboard)

    # --- outbound ------------------------------------------------------------------

    async def send_replies(self, chat_id: int, replies: list[BotReply]) -> None:
        """Send one turn's replies to a chat, in order (long texts split, keyboards on
        the last part of each reply)."""
        for reply in replies:
            for part in to_telegram(reply):
                if not await self._send(chat_id, part.text, part.keyboard):
                    return  # the chat is gone or Telegram refuses: the rest would fail too

    async def deliver(self, conversation: str, replies: list[BotReply]) -> None:
        """Deliver replies to a conversation that continues by itself (runtime channel).

        The chat must still be linked to the conversation's user: in a private chat the
        chat id is the Telegram user id, whose link is checked again, so a chat that was
        unlinked (or linked to someone else since) receives nothing.
        """
        ref = parse_conversation_id(conversation)
        chat = conversation.rsplit(":", 1)[-1]
        if ref is None or ref.channel != CHANNEL or not chat.lstrip("-").isdigit():
            log.warning("not a telegram conversation: %r", conversation)
            return
        chat_id = int(chat)
        try:
            user = await self._runtime.platform.telegram_user(chat_id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("telegram delivery to %s dropped, lookup failed: %s", conversation, exc)
            return
        if not isinstance(user, dict) or user.get("id") != ref.user_id:
            log.warning("telegram delivery to %s dropped: chat not linked to user", conversation)
            return
        # No chat lock here: the relay holds the conversation's lock around this call,
        # and a user turn takes the chat lock before that one (the reverse order).
        await self.send_replies(chat_id, replies)

    async def _send(self, chat_id: int, message: str, markup: ReplyMarkup = None) -> bool:
        """Send one message; False when Telegram refused it (logged, never raised)."""
        for attempt in range(2):
            try:
                await self._bot.send_message(
                    chat_id, message, reply_markup=markup, link_preview_options=NO_PREVIEW
                )
                return True
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if attempt or wait > MAX_RETRY_AFTER_SECONDS:
                    log.warning("telegram flood control: message to %s dropped", chat_id)
                    return False
                await asyncio.sleep(wait)
            except TelegramError as exc:
                log.warning("telegram sendMessage to %s failed: %s", chat_id, exc)
                return False
        return False

    @asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" now and every few seconds until the block is done."""
        await self._chat_action(chat_id)
        repeat = asyncio.create_task(self._keep_typing(chat_id))
        try:
            yield
        finally:
            repeat.cancel()
            with suppress(asyncio.CancelledError):
                await repeat

    async def _keep_typing(self, chat_id: int) -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY_SECONDS)
            if not await self._chat_action(chat_id):
                return

    async def _chat_action(self, chat_id: int) -> bool:
        try:
            await self._bot.send_chat_action(chat_id, ChatAction.TYPING)
            return True
        except TelegramError as exc:
            log.info("telegram chat action for %s failed: %s", chat_id, exc)
            return False


def _name(user: dict[str, Any]) -> str:
    return str(user.get("name") or "").split(" ")[0] or str(user.get("email") or "")


def _seconds(retry_after: object) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on the PTB version."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]
