"""Opaque button ids: the only way a user's message becomes a Rasa payload.

Rasa parses any message that starts with ``/`` as an intent with entities at confidence
1.0, so the gateway never shows users a real payload. Every button a bot message offers
gets a short random id that is valid only in the conversation it was issued for; when
the user sends that id back (a click on the web, Telegram ``callback_data``, a numbered
SMS reply mapped by its renderer), the gateway swaps in the real payload.

Every store has the async interface :class:`ButtonStore`. :class:`ButtonRegistry` keeps
the ids in this process's memory (the embedded profile, one gateway); with ``REDIS_URL``
(the production profile, several gateways) :class:`bot.gateway.shared_state.RedisButtons`
keeps them in Redis, so a button issued by one gateway process resolves in any other.
Memory is bounded twice: a conversation keeps its most recent ``per_conversation`` ids
(ids of a conversation's previous bot turns stay valid until then), and the registry
keeps the ``max_conversations`` conversations used most recently (in Redis: the
conversations used within a day).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from cachetools import FIFOCache, LRUCache

ID_PREFIX = "b_"
ID_RANDOM_CHARS = 10  # 60 bits; "b_" + 10 chars = 12 bytes, far below Telegram's 64.
ID_LENGTH = len(ID_PREFIX) + ID_RANDOM_CHARS


@dataclass(frozen=True)
class _Entry:
    payload: str
    one_time: bool
    used: bool = False


def new_button_id() -> str:
    """A fresh opaque id, e.g. ``b_Xq3-9aZk_P`` (URL-safe, 12 characters)."""
    return ID_PREFIX + secrets.token_urlsafe(8)[:ID_RANDOM_CHARS]


def looks_like_button_id(text: str) -> bool:
    """Whether ``text`` has the shape of an id (typed text never needs a look-up)."""
    return len(text) == ID_LENGTH and text.startswith(ID_PREFIX)


class ButtonStore(Protocol):
    """Where the opaque ids of every conversation are kept (memory or Redis)."""

    async def issue(self, conversation_id: str, payload: str, one_time: bool = False) -> str:
        """Issue an id standing for ``payload`` in ``conversation_id`` (see
        :meth:`ButtonRegistry.issue`)."""
        ...

    async def resolve(self, conversation_id: str, button_id: str) -> str | None:
        """The payload behind ``button_id`` in this conversation, else None; a one-time
        id resolves exactly once."""
        ...

    async def used_up(self, conversation_id: str, button_id: str) -> bool:
        """Whether ``button_id`` is a one-time id of this conversation already used."""
        ...

    async def forget(self, conversation_id: str) -> None:
        """Drop every id of a conversation."""
        ...


class ButtonRegistry:
    """Maps the opaque button ids the gateway issued back to real payloads, per conversation.

    In this process's memory: not shared between processes (several gateways use
    :class:`bot.gateway.shared_state.RedisButtons`).
    """

    def __init__(self, per_conversation: int = 100, max_conversations: int = 10_000) -> None:
        """Create an empty registry.

        Args:
            per_conversation: ids kept per conversation; the oldest are forgotten first.
            max_conversations: conversations kept; the least recently used are forgotten.
        """
        if per_conversation < 1 or max_conversations < 1:
            raise ValueError("limits must be positive")
        self._per_conversation = per_conversation
        # conversations, least recently used forgotten first; in each, its newest ids
        self._ids: LRUCache[str, FIFOCache[str, _Entry]] = LRUCache(maxsize=max_conversations)

    async def issue(self, conversation_id: str, payload: str, one_time: bool = False) -> str:
        """Issue an id standing for ``payload`` in ``conversation_id``.

        Args:
            conversation_id: the conversation whose bot message offers the button.
            payload: what Rasa should receive when the button is used.
            one_time: the id resolves once (buttons with side effects); pressed again, it
                is recognised as used up and never reaches Rasa.

        Returns:
            The opaque id to put on the button.
        """
        entries = self._conversation(conversation_id)
        button_id = new_button_id()
        while button_id in entries:  # pragma: no cover - 60 random bits
            button_id = new_button_id()
        entries[button_id] = _Entry(payload, one_time)
        return button_id

    async def resolve(self, conversation_id: str, button_id: str) -> str | None:
        """The payload behind ``button_id`` if it was issued for this conversation, else None.

        A one-time id is used up by the call that resolves it (see :meth:`used_up`).
        """
        entries = self._ids.get(conversation_id)
        if entries is None:
            return None
        entry = entries.get(button_id)
        if entry is None or entry.used:
            return None
        if entry.one_time:
            entries[button_id] = _Entry(entry.payload, one_time=True, used=True)
        return entry.payload

    async def used_up(self, conversation_id: str, button_id: str) -> bool:
        """Whether ``button_id`` is a one-time id of this conversation that was already used."""
        entry = (self._ids.get(conversation_id) or {}).get(button_id)
        return entry is not None and entry.used

    async def forget(self, conversation_id: str) -> None:
        """Drop every id of a conversation (e.g. when it is closed)."""
        self._ids.pop(conversation_id, None)

    def __len__(self) -> int:
        """How many ids are currently valid, over all conversations."""
        return sum(len(entries) for entries in self._ids.values())

    def _conversation(self, conversation_id: str) -> FIFOCache[str, _Entry]:
        entries = self._ids.get(conversation_id)
        if entries is None:
            entries = FIFOCache(maxsize=self._per_conversation)
            self._ids[conversation_id] = entries
        return entries
