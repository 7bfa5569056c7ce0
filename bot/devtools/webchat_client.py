"""A web-chat user over socket.io, speaking Rasa's widget protocol as the browser widget does."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import socketio


@dataclass
class BotTurn:
    """What the user saw after one message: the bot's bubbles and their buttons."""

    messages: list[dict[str, Any]]
    seconds: float

    @property
    def text(self) -> str:
        """All bubbles' text, one per line."""
        return "\n".join(m.get("text", "") for m in self.messages if m.get("text"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every quick reply offered in this turn (title and opaque payload id)."""
        return [b for m in self.messages for b in m.get("quick_replies") or []]

    @property
    def button_titles(self) -> list[str]:
        """The buttons' titles, as the user reads them."""
        return [b["title"] for b in self.buttons]

    def button(self, title_part: str) -> dict[str, Any]:
        """The first button whose title contains ``title_part``."""
        for b in self.buttons:
            if title_part in b["title"]:
                return b
        raise KeyError(f"no button {title_part!r} in {self.button_titles}")


@dataclass
class WebChatUser:
    """One socket.io connection with one conversation."""

    url: str
    token: str | None
    client: socketio.AsyncClient = field(default_factory=lambda: socketio.AsyncClient())
    conversation_id: str | None = None
    _inbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    _confirmed: asyncio.Queue = field(default_factory=asyncio.Queue)
    _turns: asyncio.Queue = field(default_factory=asyncio.Queue)

    async def connect(self, session_id: str | None = None, timeout: float = 10.0) -> str:
        """Connect with the session token and open (or continue) a conversation."""
        self.client.on("bot_uttered", self._inbox.put_nowait)
        self.client.on("session_confirm", self._confirmed.put_nowait)
        self.client.on("bot_turn_complete", self._turns.put_nowait)
        auth = {"token": self.token} if self.token is not None else None
        await self.client.connect(
            self.url, auth=auth, transports=["websocket"], wait_timeout=timeout
        )
        await self.client.emit("session_request", {"session_id": session_id})
        confirm = await asyncio.wait_for(self._confirmed.get(), timeout)
        self.conversation_id = confirm["session_id"] if isinstance(confirm, dict) else confirm
        return str(self.conversation_id)

    async def say(self, text: str, timeout: float = 60.0) -> BotTurn:
        """Send a message and collect the bot's answer: every bubble of the turn.

        The gateway ends each turn with ``bot_turn_complete`` (an addition to Rasa's widget
        protocol that widgets may ignore), so no waiting on a quiet period is needed.
        """
        for queue in (self._inbox, self._turns):
            while not queue.empty():
                queue.get_nowait()
        started = time.perf_counter()
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": self.conversation_id}
        )
        return await self._collect(started, timeout)

    async def next_turn(self, timeout: float = 60.0) -> BotTurn:
        """Wait for a turn the user did not start (the conversation continuing by itself,
        e.g. after the pairing page), and collect its bubbles."""
        return await self._collect(time.perf_counter(), timeout)

    async def _collect(self, started: float, timeout: float) -> BotTurn:
        """Wait for the end of a turn and take its bubbles (``bot_turn_complete`` says how
        many; they arrived before it, on the same socket): turns queued one after another
        are told apart."""
        done = await asyncio.wait_for(self._turns.get(), timeout)
        seconds = time.perf_counter() - started
        count = done.get("count") if isinstance(done, dict) else None
        messages = []
        while not self._inbox.empty() and (count is None or len(messages) < count):
            messages.append(self._inbox.get_nowait())
        return BotTurn(messages, seconds)

    async def click(self, turn: BotTurn, title_part: str, timeout: float = 60.0) -> BotTurn:
        """Press a button the bot offered: its opaque id is sent, as the widget does."""
        return await self.say(turn.button(title_part)["payload"], timeout)

    async def close(self) -> None:
        """Disconnect."""
        await self.client.disconnect()
