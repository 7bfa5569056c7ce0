"""The web chat channel: Rasa's socket.io widget protocol, with verified identities.

Protocol (as Rasa's own socket.io channel speaks it, so Rasa-compatible widgets work):

* connect with ``auth={"token": <session token>}`` — the token is verified
  (:func:`bot.identity.verify_session`) and the user must exist on the platform;
  otherwise the connection is refused;
* ``session_request {session_id?}`` → ``session_confirm <conversation id>``: the gateway
  names the conversation ``web:<user id>:<16 hex>``; a requested id is continued only if
  it has that form with the same user id, else a fresh one is issued;
* ``user_uttered {message, session_id}`` → one ``bot_uttered`` per bot message:
  ``{"text", "quick_replies": [{"content_type": "text", "title", "payload": <opaque id>}]}``,
  then ``bot_turn_complete {count}`` once the turn's replies are all sent (our addition,
  so clients and tests know a turn is over without waiting on a quiet period).

The conversation is always the one the gateway confirmed for this socket; a
``session_id`` in ``user_uttered`` cannot switch it. Replies go to a socket.io room
named after the conversation id, so every tab of the same conversation sees them.
A conversation that continues by itself (the platform's pairing page is done) gets
the same ``bot_uttered`` ×n then ``bot_turn_complete`` through :meth:`WebChat.deliver`,
which the web chat registers with the runtime for the ``web`` channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import socketio

from bot.gateway.conversations import continued_conversation_id, new_conversation_id
from bot.gateway.rendering import BotReply, to_web
from bot.gateway.runtime import GatewayRuntime
from bot.identity import Identity, InvalidToken, verify_session
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

CHANNEL = "web"


@dataclass
class WebSession:
    """What the gateway knows about one connected socket."""

    user_id: int
    language: str
    conversation_id: str | None = None


class WebChat:
    """Registers the web chat's socket.io event handlers and delivers bot replies."""

    def __init__(self, sio: socketio.AsyncServer, runtime: GatewayRuntime) -> None:
        """Attach the handlers to ``sio``.

        Args:
            sio: the gateway's socket.io server.
            runtime: the shared clients and relay (opened on startup).
        """
        self._sio = sio
        self._runtime = runtime
        self._sessions: dict[str, WebSession] = {}
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        sio.on("session_request", self.on_session_request)
        sio.on("user_uttered", self.on_user_uttered)
        runtime.register_channel(CHANNEL, self.deliver)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Accept the socket only for a valid session token of an existing user.

        Raises:
            ConnectionRefusedError: missing, expired or forged token; unknown user; or
                the platform could not confirm the user.
        """
        token = auth.get("token") if isinstance(auth, dict) else None
        secret = self._runtime.settings.session_secret.get_secret_value()
        try:
            user_id = verify_session(token, secret)
        except InvalidToken as exc:
            log.info("web chat connect refused: %s", exc)
            raise ConnectionRefusedError("unauthorized") from None
        try:
            user = await self._runtime.platform.user(user_id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("web chat connect refused, platform lookup failed: %s", exc)
            raise ConnectionRefusedError("unavailable") from None
        if user is None:
            log.info("web chat connect refused: unknown user %s", user_id)
            raise ConnectionRefusedError("unauthorized")
        self._sessions[sid] = WebSession(user_id=user_id, language=str(user.get("language", "")))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket."""
        self._sessions.pop(sid, None)

    async def on_session_request(self, sid: str, data: Any = None) -> None:
        """Confirm the conversation this socket talks in (continued or fresh)."""
        session = self._sessions.get(sid)
        if session is None:
            return
        requested = data.get("session_id") if isinstance(data, dict) else None
        conversation_id = continued_conversation_id(
            requested, CHANNEL, session.user_id
        ) or new_conversation_id(CHANNEL, session.user_id)
        previous, session.conversation_id = session.conversation_id, conversation_id
        if previous and previous != conversation_id:
            await self._sio.leave_room(sid, previous)
        await self._sio.enter_room(sid, conversation_id)
        await self._sio.emit("session_confirm", conversation_id, to=sid)

    async def on_user_uttered(self, sid: str, data: Any = None) -> None:
        """Relay one user message to Rasa; replies arrive as ``bot_uttered``.

        Nothing may be awaited before :meth:`Relay.handle` takes the conversation's
        lock, or rapid messages could overtake each other.
        """
        session = self._sessions.get(sid)
        if session is None or session.conversation_id is None:
            log.debug("user_uttered before session_confirm on %s: ignored", sid)
            return
        message = data.get("message") if isinstance(data, dict) else None
        conversation_id = session.conversation_id
        identity = Identity(session.user_id, conversation_id, CHANNEL)

        async def deliver(replies: list[BotReply]) -> None:
            await self.deliver(conversation_id, replies)

        await self._runtime.relay.handle(identity, message, session.language, deliver)

    async def deliver(self, conversation_id: str, replies: list[BotReply]) -> None:
        """Send one turn's replies to every socket of a web conversation, in order.

        One ``bot_uttered`` per reply, then ``bot_turn_complete {count}`` — an addition
        to Rasa's protocol that widgets may ignore: the turn is over.
        """
        for reply in replies:
            await self._sio.emit("bot_uttered", to_web(reply), to=conversation_id)
        await self._sio.emit("bot_turn_complete", {"count": len(replies)}, to=conversation_id)
