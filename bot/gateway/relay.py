"""One user turn, whatever the channel: message in, Rasa, replies out.

Each channel verifies who is talking, names the conversation, and hands the message
to :meth:`Relay.handle` with a ``deliver`` callback that sends replies its own way.
The relay serialises the turns of a conversation, maps button ids back to payloads,
neutralises typed ``/...`` text, signs a fresh identity token for the message, asks
Rasa, and renders the answer channel-neutrally.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.gateway.buttons import ButtonRegistry
from bot.gateway.conversations import ConversationLocks
from bot.gateway.inbound import to_rasa_message
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.rendering import BotReply, from_rasa
from bot.gateway.texts import text
from bot.identity import Identity, sign_identity

log = logging.getLogger(__name__)

MAX_COUNTED_CONVERSATIONS = 10_000
RETRY_AFTER_TURNS = 5

Deliver = Callable[[list[BotReply]], Awaitable[None]]


class Relay:
    """Forwards user messages to Rasa, one at a time per conversation."""

    def __init__(
        self,
        rasa: RasaClient,
        buttons: ButtonRegistry,
        locks: ConversationLocks,
        identity_secret: str,
        identity_ttl_seconds: int,
        session_max_turns: int = 0,
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
        """
        self._rasa = rasa
        self._buttons = buttons
        self._locks = locks
        self._identity_secret = identity_secret
        self._identity_ttl = identity_ttl_seconds
        self._session_max_turns = session_max_turns
        self._turns: OrderedDict[str, int] = OrderedDict()

    async def handle(
        self, identity: Identity, message: object, language: str | None, deliver: Deliver
    ) -> None:
        """Process one user message and deliver the bot's replies, in conversation order.

        The conversation's lock is taken before anything else can suspend, so messages
        are processed — and their replies delivered — in the order they arrived.

        Args:
            identity: who sent it, verified by the channel, and the conversation id.
            message: what the user sent (text or an opaque button id).
            language: the user's profile language, for the gateway's own texts.
            deliver: sends the replies to the user's channel.
        """
        async with self._locks.hold(identity.conversation_id):
            to_rasa = to_rasa_message(identity.conversation_id, message, self._buttons)
            if to_rasa is None:
                return
            await self._bound_session(identity.conversation_id)
            token = sign_identity(identity, self._identity_secret, self._identity_ttl)
            try:
                raw = await self._rasa.send(
                    identity.conversation_id, to_rasa, token, identity.channel
                )
                replies = from_rasa(raw, identity.conversation_id, self._buttons)
            except RasaUnavailable:
                replies = [BotReply(text=text("rasa_unavailable", language))]
            await deliver(replies)

    async def _bound_session(self, conversation_id: str) -> None:
        """Count the conversation's turns; start a new Rasa session when there are too many."""
        turns = self._turns.pop(conversation_id, 0) + 1
        if self._session_max_turns and turns > self._session_max_turns:
            started = await self._rasa.start_new_session(conversation_id)
            # Not now (a form is active, or Rasa refused): try again in a few turns.
            turns = 1 if started else self._session_max_turns - RETRY_AFTER_TURNS
        self._turns[conversation_id] = turns
        while len(self._turns) > MAX_COUNTED_CONVERSATIONS:
            self._turns.popitem(last=False)
