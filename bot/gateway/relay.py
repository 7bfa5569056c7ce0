"""One user turn, whatever the channel: message in, Rasa, replies out.

Each channel verifies who is talking, names the conversation, and hands the message
to :meth:`Relay.handle` with a ``deliver`` callback that sends replies its own way.
The relay serialises the turns of a conversation, maps button ids back to payloads,
neutralises typed ``/...`` text, signs a fresh identity token for the message, asks
Rasa, and renders the answer channel-neutrally.

Two repair additions (docs/repair-contract.md):

* a typed text that looks like a 2FA/MFA code (:mod:`bot.gateway.codes`) is first
  offered to the platform; when the conversation was waiting for one, the text never
  reaches Rasa, which only learns ``repair_pairing_update{pairing_event: code_submitted}``;
* :meth:`Relay.continue_conversation` triggers an intent when something finished
  outside the chat (the pairing page), under the same per-conversation lock.

While a conversation is with support (docs/handoff-contract.md) its messages never reach
Rasa: :class:`bot.gateway.handoff.HandoffRouter` takes them first, before any code. Every
user message also tells the platform the conversation is live (throttled, in the
background: :class:`bot.gateway.activity.ActivityReporter`), for the console's "Live
conversations".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.gateway.activity import ActivityReporter
from bot.gateway.buttons import ButtonStore
from bot.gateway.codes import find_code
from bot.gateway.conversations import ConversationLocks
from bot.gateway.handoff import HandoffRouter
from bot.gateway.inbound import read_user_message
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.rendering import BotReply, from_rasa, is_one_time
from bot.gateway.shared_locks import SharedLockUnavailable
from bot.gateway.shared_state import SharedStateUnavailable
from bot.gateway.texts import text
from bot.gateway.turn_counter import TurnCounter, TurnStore
from bot.handoff_signal import opened_in
from bot.identity import Identity, sign_identity
from bot.internal_client import InternalPlatformClient
from bot.logs import log_context
from bot.metrics import MESSAGES, TURN_ERRORS, TURN_SECONDS
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_TURNS = 5

PAIRING_UPDATE_INTENT = "repair_pairing_update"
CODE_SUBMITTED = {"pairing_event": "code_submitted"}
CODE_CONTINUATIONS: dict[str, set[str]] = {
    PAIRING_UPDATE_INTENT: {"pairing_event"},
    "onboarding_update": {"onboarding_event"},
}
"""Intents the platform may ask the gateway to trigger after a code, with their entities."""
IDENTITY_ENTITY = "identity"

Deliver = Callable[[list[BotReply]], Awaitable[None]]


class Relay:
    """Forwards user messages to Rasa, one at a time per conversation."""

    def __init__(
        self,
        rasa: RasaClient,
        buttons: ButtonStore,
        locks: ConversationLocks,
        identity_secret: str,
        identity_ttl_seconds: int,
        session_max_turns: int = 0,
        platform: InternalPlatformClient | None = None,
        handoffs: HandoffRouter | None = None,
        turns: TurnStore | None = None,
    ) -> None:
        """Wire the relay.

        Args:
            rasa: the client for Rasa's REST channel.
            buttons: opaque button ids of every conversation of this gateway.
            locks: one lock per conversation.
            identity_secret: the secret per-message identity tokens are signed with.
            identity_ttl_seconds: how long such a token is valid.
            session_max_turns: user turns after which the conversation gets a new Rasa
                session (0: never); see :meth:`RasaClient.start_new_session`.
            platform: the platform's internal client, to hand typed 2FA codes to and
                to report live conversations to (None: no code is taken, every text
                goes to Rasa, no activity is reported).
            handoffs: routes the messages of conversations handed off to support
                (None: every message goes to Rasa).
            turns: where each conversation's turns are counted (this process's
                memory by default; Redis when several gateway processes run).
        """
        self._rasa = rasa
        self._buttons = buttons
        self._locks = locks
        self._identity_secret = identity_secret
        self._identity_ttl = identity_ttl_seconds
        self._session_max_turns = session_max_turns
        self._platform = platform
        self._handoffs = handoffs
        self._activity = ActivityReporter(platform) if platform is not None else None
        self._turns: TurnStore = turns or TurnCounter()

    async def handle(
        self, identity: Identity, message: object, language: str | None, deliver: Deliver
    ) -> None:
        """Process one user message (see :meth:`_handle`), counted and timed for
        ``/metrics``; its log lines carry the conversation id and a new request id."""
        started = time.perf_counter()
        MESSAGES.labels(identity.channel).inc()
        with log_context(identity.conversation_id):
            try:
                await self._handle(identity, message, language, deliver)
            except SharedLockUnavailable as exc:  # Redis down (lock or shared state): not run
                log.warning("turn of %s not run: %s", identity.conversation_id, exc)
                TURN_ERRORS.labels(identity.channel, "lock").inc()
                await deliver([BotReply(text=text("rasa_unavailable", language))])
        TURN_SECONDS.labels(identity.channel).observe(time.perf_counter() - started)

    async def _handle(
        self, identity: Identity, message: object, language: str | None, deliver: Deliver
    ) -> None:
        """Process one user message and deliver the bot's replies, in conversation order.

        The conversation's lock is taken before anything else can suspend, so messages
        are processed — and their replies delivered — in the order they arrived.
        Typed text holding a code goes to the platform first (:meth:`_take_code`).

        Args:
            identity: who sent it, verified by the channel, and the conversation id.
            message: what the user sent (text or an opaque button id).
            language: the user's profile language, for the gateway's own texts.
            deliver: sends the replies to the user's channel.
        """
        async with self._locks.hold(identity.conversation_id):
            inbound = await read_user_message(identity.conversation_id, message, self._buttons)
            if inbound is None:
                return
            if self._activity is not None:  # live for the console; never slows the turn
                self._activity.seen(identity, language)
            if inbound.used_up:
                await deliver([BotReply(text=text("button_used", language))])
                return
            if self._handoffs is not None:
                routed = await self._handoffs.route(identity, inbound.text, language)
                if routed is not None:  # with support: stored for the agent, not for Rasa
                    await deliver(routed)
                    return
            if not inbound.from_button:
                taken = await self._take_code(identity, inbound.text, language)
                if taken is not None:
                    await deliver(taken)
                    return
            await self._bound_session(identity.conversation_id)
            confirmed = inbound.from_button and is_one_time(inbound.text)
            token = sign_identity(
                replace(identity, confirmed=confirmed), self._identity_secret, self._identity_ttl
            )
            raw: list[Any] | None = None
            try:
                raw = await self._rasa.send(
                    identity.conversation_id, inbound.text, token, identity.channel
                )
                replies = await self._rendered(raw, identity.conversation_id, language)
            except RasaUnavailable:
                TURN_ERRORS.labels(identity.channel, "rasa").inc()
                replies = [BotReply(text=text("rasa_unavailable", language))]
            failed = not replies
            if failed:  # an action failed (Rasa goes on without its events): say so
                TURN_ERRORS.labels(identity.channel, "no_answer").inc()
                replies = [BotReply(text=text("turn_failed", language))]
            await self._rasa_turn_done(identity.conversation_id, None if failed else raw)
            await deliver(replies)

    async def continue_conversation(
        self,
        identity: Identity,
        intent: str,
        entities: dict[str, str],
        language: str | None,
        deliver: Deliver,
    ) -> None:
        """Continue a conversation by itself: trigger ``intent`` and deliver the replies.

        Takes the conversation's lock, like a user turn, so the triggered turn never
        interleaves with one of the user's.

        Args:
            identity: the conversation's user, id and channel (checked by the caller).
            intent: the intent to trigger (already allowed by the caller).
            entities: its entities; the fresh identity token is added as ``identity``.
            language: the user's language, for the gateway's own texts.
            deliver: sends the replies to the conversation's channel.
        """
        async with self._locks.hold(identity.conversation_id):
            await deliver(await self.trigger(identity, intent, entities, language))

    async def trigger(
        self, identity: Identity, intent: str, entities: dict[str, str], language: str | None
    ) -> list[BotReply]:
        """Trigger an intent through Rasa's HTTP API and render the bot's answer.

        The caller holds the conversation's lock. A fresh identity token travels as the
        entity ``identity`` (an external message has no metadata of ours); whatever
        ``entities`` says under that name is replaced.

        Returns:
            The replies, or the gateway's apology when Rasa cannot answer.
        """
        unconfirmed = replace(identity, confirmed=False)
        token = sign_identity(unconfirmed, self._identity_secret, self._identity_ttl)
        raw: list[Any] | None = None
        try:
            raw = await self._rasa.trigger_intent(
                identity.conversation_id, intent, {**entities, IDENTITY_ENTITY: token}
            )
        except RasaUnavailable:
            return [BotReply(text=text("rasa_unavailable", language))]
        finally:
            await self._rasa_turn_done(identity.conversation_id, raw or None)
        return await self._rendered(raw, identity.conversation_id, language)

    async def _rendered(
        self, raw: list[Any], conversation_id: str, language: str | None
    ) -> list[BotReply]:
        """Rasa's answer with its buttons issued. Redis gone after Rasa answered: the turn
        ran (a cancellation may be done), so its texts still go, with a line saying the
        buttons cannot be shown and to type instead."""
        try:
            return await from_rasa(raw, conversation_id, self._buttons)
        except SharedStateUnavailable as exc:
            log.warning("buttons of %s not issued: %s", conversation_id, exc)
            replies = await from_rasa(raw, conversation_id, None)
            return [*replies, BotReply(text=text("buttons_unavailable", language))]

    async def _take_code(
        self, identity: Identity, typed: str, language: str | None
    ) -> list[BotReply] | None:
        """Hand a typed code to the platform when the conversation is waiting for one.

        The caller holds the conversation's lock. The code is never logged and never
        sent to Rasa.

        Returns:
            The replies to deliver when the text was taken (the triggered
            ``repair_pairing_update`` turn, or an apology when the platform could not
            check the code: the text is not forwarded either way); None when the text
            holds no code or no code was pending, so it goes to Rasa as usual.
        """
        if self._platform is None:
            return None
        code = find_code(typed)
        if code is None:
            return None
        try:
            taken = await self._platform.submit_repair_code(
                identity.user_id, identity.conversation_id, code
            )
        except PlatformUnavailable:
            log.warning("platform unreachable for a code in %s", identity.conversation_id)
            return [BotReply(text=text("code_unchecked", language))]
        except PlatformError as exc:  # status and code only: the detail may echo the body
            log.warning(
                "platform refused a code in %s: %s %s",
                identity.conversation_id,
                exc.status,
                exc.code,
            )
            return [BotReply(text=text("code_unchecked", language))]
        if taken is None:
            return None
        await self._bound_session(identity.conversation_id)
        intent, entities = _continuation(taken)
        return await self.trigger(identity, intent, entities, language)

    async def _rasa_turn_done(self, conversation_id: str, answer: list[Any] | None) -> None:
        """After a Rasa turn: when its actions opened a handoff (contact support, an
        action that needed a person) — or may have, the turn having failed (``answer``
        None) — the next message asks the platform again (bot/handoff_signal.py)."""
        if self._handoffs is not None and (answer is None or opened_in(answer)):
            await self._handoffs.rasa_turn_done(conversation_id)

    async def _bound_session(self, conversation_id: str) -> None:
        """Count the conversation's turns; start a new Rasa session when there are too many."""
        turns = await self._turns.count(conversation_id)
        if self._session_max_turns and turns > self._session_max_turns:
            started = await self._rasa.start_new_session(conversation_id)
            # Not now (a form is active, or Rasa refused): try again in a few turns.
            again = 1 if started else self._session_max_turns - RETRY_AFTER_TURNS
            await self._turns.set(conversation_id, again)


def _continuation(taken: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The intent (and entities) the platform says comes after a code: the repair's
    update unless the pairing signs in an onboarding's new account."""
    intent = taken.get("continue_intent")
    entities = taken.get("entities")
    allowed = CODE_CONTINUATIONS.get(str(intent))
    if allowed is None or not isinstance(entities, dict) or set(entities) != allowed:
        return PAIRING_UPDATE_INTENT, CODE_SUBMITTED
    return str(intent), {str(k): str(v)[:40] for k, v in entities.items()}
