"""Handed-off conversations: the user's messages go to support, not to Rasa.

The relay asks :meth:`HandoffRouter.route` about every user message. While the
conversation has an open handoff (``waiting`` or ``taken``, asked of the platform and
cached a few seconds per conversation) the message is stored on the platform, pushed
to the console's listeners, and answered with nothing — except a whole-message cancel
word ("cancel", "annuler", "olvídalo"…), which stops waiting: the platform cancels the
handoff, Rasa's tracker is resumed and the user is told they are back with the assistant.

While nobody can take it, the user may have been offered two buttons: ``/handoff_callback``
moves the waiting handoff to their SMS conversation (the platform does it; Rasa is resumed
here and the user told "we'll text you at •••• 0001"), ``/handoff_wait`` keeps it waiting.
Neither payload is ever stored as a message to support, nor sent to Rasa when pressed after
the handoff is over (docs/handoff-callback.md).

The console (same process) calls, after the platform accepted the agent's action:

* :meth:`HandoffRouter.take` — Rasa's tracker is paused if it was not; "Sam from
  support has joined" (on a callback handoff, a first text about the request the user
  made on the web or Telegram);
* :meth:`HandoffRouter.deliver_agent_reply` — "Sam (support): …" on the user's channel;
* :meth:`HandoffRouter.hand_back` / :meth:`HandoffRouter.close` — Rasa's tracker is
  resumed and the user told the assistant is back;
* :meth:`HandoffRouter.changed` — forget the cached state of a conversation;

and subscribes with :meth:`HandoffRouter.on_user_message` (a user's message was stored)
and :meth:`HandoffRouter.on_handoff_changed` (the user cancelled, or asked to be texted
back: the handoff moved to SMS). A handoff is the
platform's JSON object (``id``, ``conversation_id``, ``channel``, ``language``, ``state``…).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.gateway.conversations import ConversationLocks, parse_conversation_id
from bot.gateway.handoff_cache import HandoffCache, HandoffStore, Missing
from bot.gateway.handoff_texts import (
    CALLBACK_PAYLOAD,
    CALLBACK_REFUSALS,
    agent_reply,
    first_name,
    handoff_payload,
    is_cancel,
    text,
    where_asked,
)
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.rendering import BotReply
from bot.gateway.shared_locks import SharedLockUnavailable
from bot.identity import Identity
from bot.internal_client import InternalPlatformClient
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

Handoff = dict[str, Any]
UserMessageListener = Callable[[Handoff, dict[str, Any]], Awaitable[None]]
"""``listener(handoff, message)``: ``message`` as the platform stored it (redacted)."""
HandoffListener = Callable[[Handoff], Awaitable[None]]
"""``listener(handoff)``: the handoff as it is now (e.g. ``cancelled``)."""
Delivery = Callable[[str], Callable[[str, list[BotReply]], Awaitable[None]] | None]
"""``runtime.delivery``: the registered delivery of a channel, or None."""

PAUSE = {"event": "pause"}
RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
"""Resume, then listen: the paused action was never followed by ``action_listen``, and
without it Rasa's policies answer the next message with silence."""


class HandoffRouter:
    """Routes a handed-off conversation's messages to support and carries agent actions
    back to the user and to Rasa's tracker."""

    def __init__(
        self,
        locks: ConversationLocks,
        delivery: Delivery,
        cache: HandoffStore | None = None,
    ) -> None:
        """Create the router; :meth:`bind` gives it its clients when the runtime opens.

        Args:
            locks: the conversations' locks (the relay's), so agent actions never
                interleave with a user's turn.
            delivery: ``runtime.delivery``.
            cache: the platform's answers, kept briefly (by default a few seconds, in
                this process's memory; shared by every gateway process with Redis).
        """
        self._locks = locks
        self._delivery = delivery
        self._cache: HandoffStore = cache or HandoffCache()
        self._resume_pending: set[str] = set()
        self._message_listeners: list[UserMessageListener] = []
        self._handoff_listeners: list[HandoffListener] = []
        self._platform: InternalPlatformClient | None = None
        self._rasa: RasaClient | None = None

    def bind(self, platform: InternalPlatformClient | None, rasa: RasaClient | None) -> None:
        """Use these clients (None, None when the runtime closes)."""
        self._platform, self._rasa = platform, rasa

    # --- the console's side ----------------------------------------------------------

    def on_user_message(self, listener: UserMessageListener) -> None:
        """Call ``listener(handoff, message)`` after each user message stored for support.

        Called under the conversation's lock: a listener must not call :meth:`take`,
        :meth:`hand_back` or :meth:`close` itself (schedule them instead).
        """
        self._message_listeners.append(listener)

    def on_handoff_changed(self, listener: HandoffListener) -> None:
        """Call ``listener(handoff)`` when the user changed a handoff (cancelled it)."""
        self._handoff_listeners.append(listener)

    async def changed(self, conversation_id: str) -> None:
        """Forget what is cached about ``conversation_id``: the next message asks again.

        Redis unreachable is only logged: the answer it keeps expires in seconds, and no
        turn runs without Redis meanwhile (the conversation's lock is there too).
        """
        try:
            await self._cache.forget(conversation_id)
        except SharedLockUnavailable as exc:
            log.warning("cached handoff of %s not forgotten: %s", conversation_id, exc)

    async def take(self, handoff: Handoff, agent_name: str) -> None:
        """An agent took the handoff: pause Rasa's tracker if it is not, tell the user.

        The user's messages reach support from now on even if Rasa could not be paused
        (they are routed by the handoff, not by the tracker): that is only logged.
        """
        conversation_id = str(handoff["conversation_id"])
        async with self._locks.hold(conversation_id):
            await self.changed(conversation_id)
            self._resume_pending.discard(conversation_id)
            try:
                if await self.rasa.is_paused(conversation_id) is not True:
                    await self.rasa.append_event(conversation_id, PAUSE)
            except RasaUnavailable:
                log.warning("tracker of %s not paused at take", conversation_id)
            language = _language(handoff)
            agent = first_name(agent_name, language)
            if handoff.get("sms_callback"):
                where = where_asked(handoff.get("callback_from"), language)
                joined = text("joined_callback", language, agent=agent, where=where)
            else:
                joined = text("joined", language, agent=agent)
            await self._deliver(handoff, [BotReply(text=joined)])

    async def deliver_agent_reply(self, handoff: Handoff, agent_name: str, message: str) -> bool:
        """Send an agent's reply to the user's channel as ``Sam (support): …``.

        Returns:
            Whether the conversation's channel has a delivery in this gateway.
        """
        return await self._deliver(handoff, [BotReply(text=agent_reply(agent_name, message))])

    async def hand_back(self, handoff: Handoff, agent_name: str = "") -> None:
        """The agent handed the conversation back: resume Rasa, tell the user."""
        await self._end(handoff, "handed_back", agent_name)

    async def close(self, handoff: Handoff, agent_name: str = "") -> None:
        """The agent closed the handoff: resume Rasa, tell the user."""
        await self._end(handoff, "closed", agent_name)

    # --- the relay's side --------------------------------------------------------------

    async def route(
        self, identity: Identity, message: str, language: str | None
    ) -> list[BotReply] | None:
        """Take a user's message when the conversation is with support.

        The caller (the relay) holds the conversation's lock.

        Returns:
            None when the message goes to Rasa as usual; otherwise the replies to
            deliver (none while waiting; "you're back" after a cancel word).
        """
        conversation_id = identity.conversation_id
        handoff = await self._active(conversation_id)
        if handoff is None:
            if conversation_id in self._resume_pending:
                await self._resume(conversation_id)
            if handoff_payload(message) is not None:  # a button of a handoff that is over
                return [BotReply(text=text("no_handoff", language))]
            return None
        language = _language(handoff, language)
        if is_cancel(message):
            return await self._cancel(handoff, language)
        payload = handoff_payload(message)
        if payload == CALLBACK_PAYLOAD:
            return await self._callback(handoff, language)
        if payload is not None:  # "I'll wait": nothing changes, nothing is stored
            waiting = handoff.get("state") == "waiting"
            return [BotReply(text=text("queued", language))] if waiting else []
        try:
            stored = await self.platform.handoff_message(int(handoff["id"]), "user", message)
        except PlatformUnavailable:
            log.warning("message for handoff %s not stored: unreachable", handoff.get("id"))
            await self.changed(conversation_id)
            return [BotReply(text=text("not_delivered", language))]
        except PlatformError as exc:  # ended meanwhile (409 not_open): back with the bot
            log.info("message for handoff %s not stored: %s", handoff.get("id"), exc.code)
            stored = None
        if stored is None:
            await self.changed(conversation_id)
            return None
        await self._notify(self._message_listeners, handoff, stored)
        return []

    async def rasa_turn_done(self, conversation_id: str) -> None:
        """A message went to Rasa: its actions may have opened a handoff meanwhile."""
        await self.changed(conversation_id)

    # --- inside ------------------------------------------------------------------------

    @property
    def platform(self) -> InternalPlatformClient:
        """The platform's internal client (only while the runtime is open)."""
        if self._platform is None:
            raise RuntimeError("the handoff router is not bound")
        return self._platform

    @property
    def rasa(self) -> RasaClient:
        """The Rasa client (only while the runtime is open)."""
        if self._rasa is None:
            raise RuntimeError("the handoff router is not bound")
        return self._rasa

    async def _active(self, conversation_id: str) -> Handoff | None:
        """The conversation's open handoff (cached briefly); None when the platform
        cannot say (the message then goes to Rasa, whose tracker is paused if needed)."""
        cached = await self._cache.get(conversation_id)
        if cached is not Missing:
            return cached if isinstance(cached, dict) else None
        try:
            handoff = await self.platform.active_handoff(conversation_id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("open handoff of %s unknown: %s", conversation_id, exc)
            return None
        await self._cache.put(conversation_id, handoff)
        return handoff

    async def _cancel(self, handoff: Handoff, language: str | None) -> list[BotReply]:
        """The user stopped waiting: cancel on the platform, resume Rasa, say so."""
        conversation_id = str(handoff["conversation_id"])
        try:
            ended = await self.platform.cancel_handoff(int(handoff["id"]))
        except PlatformError as exc:  # not open any more (handed back meanwhile): resume anyway
            log.info("cancel of handoff %s: %s", handoff.get("id"), exc.code)
            ended = None
        except PlatformUnavailable:
            log.warning("cancel of handoff %s: platform unreachable", handoff.get("id"))
            return [BotReply(text=text("not_delivered", language))]
        await self.changed(conversation_id)
        await self._resume(conversation_id)
        if isinstance(ended, dict):
            await self._notify(self._handoff_listeners, ended)
        return [BotReply(text=text("cancelled", language))]

    async def _callback(self, handoff: Handoff, language: str | None) -> list[BotReply]:
        """The user asked to be texted back: the platform moves the handoff to their SMS
        conversation (or cancels it when that one has an open handoff); Rasa is resumed
        here and the user told which phone support will text. A refusal changes nothing
        and is explained."""
        conversation_id = str(handoff["conversation_id"])
        try:
            answer = await self.platform.request_callback(int(handoff["id"]))
        except PlatformUnavailable:
            log.warning("callback of handoff %s: platform unreachable", handoff.get("id"))
            return [BotReply(text=text("not_delivered", language))]
        except PlatformError as exc:
            log.info("callback of handoff %s refused: %s", handoff.get("id"), exc.code)
            await self.changed(conversation_id)
            return [
                BotReply(text=text(CALLBACK_REFUSALS.get(exc.code, "callback_failed"), language))
            ]
        await self.changed(conversation_id)
        if answer is None:  # gone meanwhile
            return [BotReply(text=text("callback_ended", language))]
        await self.changed(str(answer.get("sms_conversation_id") or ""))
        await self._resume(conversation_id)
        await self._notify(self._handoff_listeners, answer)
        key = "callback_moved" if answer.get("outcome") == "moved" else "callback_merged"
        return [BotReply(text=text(key, language, phone=str(answer.get("phone") or "")))]

    async def _end(self, handoff: Handoff, key: str, agent_name: str) -> None:
        conversation_id = str(handoff["conversation_id"])
        async with self._locks.hold(conversation_id):
            await self.changed(conversation_id)
            await self._resume(conversation_id)
            language = _language(handoff)
            said = text(key, language, agent=first_name(agent_name, language))
            await self._deliver(handoff, [BotReply(text=said)])

    async def _resume(self, conversation_id: str) -> None:
        """Resume Rasa's tracker; if Rasa cannot be reached, again before the next message."""
        try:
            await self.rasa.append_event(conversation_id, RESUME)
        except RasaUnavailable:
            self._resume_pending.add(conversation_id)
        else:
            self._resume_pending.discard(conversation_id)

    async def _deliver(self, handoff: Handoff, replies: list[BotReply]) -> bool:
        conversation_id = str(handoff["conversation_id"])
        channel = handoff.get("channel") or _channel_of(conversation_id)
        deliver = self._delivery(str(channel))
        if deliver is None:
            log.warning("no delivery for channel %s of %s", channel, conversation_id)
            return False
        await deliver(conversation_id, replies)
        return True

    async def _notify(self, listeners: list[Any], *args: Any) -> None:
        for listener in list(listeners):
            try:
                await listener(*args)
            except Exception:  # noqa: BLE001 - a console push must not lose the turn
                log.exception("handoff listener %r failed", listener)


def _language(handoff: Handoff, fallback: str | None = None) -> str | None:
    """The handoff's language (the one the user asked for support in), else ``fallback``."""
    return str(handoff.get("language") or fallback or "") or None


def _channel_of(conversation_id: str) -> str:
    ref = parse_conversation_id(conversation_id)
    return ref.channel if ref is not None else ""
