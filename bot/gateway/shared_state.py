"""Per-conversation state every gateway process shares (REDIS_URL, production profile).

With several gateway processes a user's next message can reach any of them: a button
pressed on the web, a Twilio webhook for the SMS reply ``2``, the next message after an
agent took the conversation through another process. So the state a turn leaves for
the next one lives in Redis, behind the same async interfaces as the in-memory stores
of the embedded profile:

* :class:`RedisButtons` (:class:`~bot.gateway.buttons.ButtonStore`): a hash of
  ``id → payload`` per conversation with the ids in issue order; one-time ids are
  marked used by a script, so a button pressed in two processes at once resolves once;
* :class:`RedisSmsChoices` (:class:`~bot.gateway.sms_choices.ChoiceStore`): the last
  turn's offer of each SMS conversation, as JSON;
* :class:`RedisHandoffCache` (:class:`~bot.gateway.handoff_cache.HandoffStore`): the
  platform's answer about a conversation's open handoff (an open one 3 s, none 30 s);
* :class:`RedisTurnCounter` (:class:`~bot.gateway.turn_counter.TurnStore`): the user
  turns of each conversation's Rasa session.

Bounded by key lifetimes: buttons, choices and turn counts of a conversation unused for
:data:`STATE_SECONDS` expire, a handoff answer after its seconds. Keys start with
``prefix`` (:data:`KEY_PREFIX`) and carry the conversation as a hash tag. Redis
unreachable raises :class:`SharedStateUnavailable`, which the relay handles like its
lock's failure: the turn is not run and the user is told to try again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.gateway.buttons import new_button_id
from bot.gateway.handoff_cache import CACHE_SECONDS, NO_HANDOFF_SECONDS, Missing, trusted_seconds
from bot.gateway.shared_locks import REDIS_OPTIONS, SharedLockUnavailable
from bot.gateway.sms_choices import Offer, build_offer

KEY_PREFIX = "ma:"
STATE_SECONDS = 86_400
"""A conversation's buttons and SMS choices live this long after their last use."""
BUTTONS_PER_CONVERSATION = 100

_USED = "u"
_ISSUE = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
while redis.call('LLEN', KEYS[2]) > tonumber(ARGV[3]) do
  redis.call('HDEL', KEYS[1], redis.call('LPOP', KEYS[2]))
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
"""
"""Add an id (0 when it exists already), drop the oldest beyond the cap, renew."""
_RESOLVE = """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry or entry == 'u' then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if string.sub(entry, 1, 1) == '1' then redis.call('HSET', KEYS[1], ARGV[1], 'u') end
return string.sub(entry, 3)
"""
"""The payload of an id (nil when unknown or used), marking a one-time id used."""


class SharedStateUnavailable(SharedLockUnavailable):
    """Redis could not be reached for shared state: the turn is not run (like the lock)."""


def connect(url: str) -> Redis:
    """A client for the Redis server at ``url`` (connections are opened when used)."""
    return Redis.from_url(url, decode_responses=True, **REDIS_OPTIONS)


@contextmanager
def _reaching(what: str) -> Iterator[None]:
    """Turn any Redis failure in the block into :class:`SharedStateUnavailable`."""
    try:
        yield
    except RedisError as exc:
        raise SharedStateUnavailable(f"Redis ({what}): {exc}") from exc


class RedisButtons:
    """Opaque button ids per conversation, in Redis (see :class:`ButtonStore`)."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = KEY_PREFIX,
        *,
        per_conversation: int = BUTTONS_PER_CONVERSATION,
        seconds: float = STATE_SECONDS,
    ) -> None:
        """Ids kept for ``seconds`` after a conversation's last use, at most
        ``per_conversation`` per conversation (the oldest are forgotten first)."""
        if per_conversation < 1:
            raise ValueError("per_conversation must be positive")
        self._redis = redis
        self._prefix = prefix
        self._cap = per_conversation
        self._ms = int(seconds * 1000)
        self._issue = redis.register_script(_ISSUE)
        self._resolve = redis.register_script(_RESOLVE)

    def _keys(self, conversation_id: str) -> list[str]:
        key = f"{self._prefix}buttons:{{{conversation_id}}}"
        return [key, key + ":order"]

    async def issue(self, conversation_id: str, payload: str, one_time: bool = False) -> str:
        """Issue an id standing for ``payload`` in ``conversation_id``."""
        entry = ("1:" if one_time else "0:") + payload
        with _reaching("issue a button"):
            while True:
                button_id = new_button_id()
                args = [button_id, entry, self._cap, self._ms]
                if await self._issue(keys=self._keys(conversation_id), args=args):
                    return button_id

    async def resolve(self, conversation_id: str, button_id: str) -> str | None:
        """The payload behind ``button_id``; a one-time id resolves once, in any process."""
        with _reaching("resolve a button"):
            payload = await self._resolve(
                keys=self._keys(conversation_id), args=[button_id, self._ms]
            )
        return payload if isinstance(payload, str) else None

    async def used_up(self, conversation_id: str, button_id: str) -> bool:
        """Whether ``button_id`` is a one-time id of this conversation already used."""
        with _reaching("read a button"):
            entry = await self._redis.hget(self._keys(conversation_id)[0], button_id)
        return entry == _USED

    async def forget(self, conversation_id: str) -> None:
        """Drop every id of a conversation, for every process."""
        with _reaching("forget buttons"):
            await self._redis.delete(*self._keys(conversation_id))


class RedisSmsChoices:
    """The last turn's options of each SMS conversation, in Redis (see :class:`ChoiceStore`)."""

    def __init__(
        self, redis: Redis, prefix: str = KEY_PREFIX, *, seconds: float = STATE_SECONDS
    ) -> None:
        """Offers kept for ``seconds`` after a conversation's last use."""
        self._redis = redis
        self._prefix = prefix
        self._ms = int(seconds * 1000)

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}sms-choices:{{{conversation_id}}}"

    async def offer(self, conversation_id: str, buttons: Iterable[tuple[str, bool]]) -> Offer:
        """Record a new bot turn's options (replacing the previous turn's) and return them."""
        offer = build_offer(buttons)
        raw = json.dumps({"numbers": offer.numbers, "codes": offer.codes})
        with _reaching("record SMS choices"):
            await self._redis.set(self._key(conversation_id), raw, px=self._ms)
        return offer

    async def last(self, conversation_id: str) -> Offer:
        """What the last bot turn of the conversation offered (empty when nothing)."""
        with _reaching("read SMS choices"):
            raw = await self._redis.getex(self._key(conversation_id), px=self._ms)
        if not isinstance(raw, str):
            return Offer()
        data = json.loads(raw)
        return Offer(numbers=dict(data["numbers"]), codes=dict(data["codes"]))

    async def resolve(self, conversation_id: str, reply: str) -> str | None:
        """The button id a reply stands for in the conversation's last turn, or None."""
        return (await self.last(conversation_id)).resolve(reply)

    async def forget(self, conversation_id: str) -> None:
        """Drop a conversation's options, for every process."""
        with _reaching("forget SMS choices"):
            await self._redis.delete(self._key(conversation_id))


class RedisHandoffCache:
    """Open handoff (or None) per conversation, trusted ``seconds`` (``none_seconds``
    when none is open), in Redis (see :class:`HandoffStore`)."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = KEY_PREFIX,
        *,
        seconds: float = CACHE_SECONDS,
        none_seconds: float = NO_HANDOFF_SECONDS,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._seconds = seconds
        self._none_seconds = none_seconds

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}handoff:{{{conversation_id}}}"

    async def get(self, conversation_id: str) -> dict[str, Any] | None | object:
        """The cached handoff (None: none open), or :data:`Missing`."""
        with _reaching("read the handoff cache"):
            raw = await self._redis.get(self._key(conversation_id))
        if not isinstance(raw, str):
            return Missing
        handoff = json.loads(raw)
        return handoff if isinstance(handoff, dict) else None

    async def put(self, conversation_id: str, handoff: dict[str, Any] | None) -> None:
        """Remember the platform's answer for ``conversation_id``."""
        with _reaching("write the handoff cache"):
            seconds = trusted_seconds(handoff, self._seconds, self._none_seconds)
            ms = max(1, int(seconds * 1000))
            await self._redis.set(self._key(conversation_id), json.dumps(handoff), px=ms)

    async def forget(self, conversation_id: str) -> None:
        """Forget one conversation's answer, for every process."""
        with _reaching("forget a handoff"):
            await self._redis.delete(self._key(conversation_id))


class RedisTurnCounter:
    """Turns per conversation in Redis (see :class:`TurnStore`); a count unused for
    :data:`STATE_SECONDS` expires."""

    def __init__(self, redis: Redis, prefix: str = KEY_PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}turns:{{{conversation_id}}}"

    async def count(self, conversation_id: str) -> int:
        """Count one more turn; the turns so far (every process's)."""
        key = self._key(conversation_id)
        with _reaching("count a turn"):
            async with self._redis.pipeline(transaction=True) as pipe:
                turns, _ = await pipe.incr(key).expire(key, STATE_SECONDS).execute()
        return int(turns)

    async def set(self, conversation_id: str, turns: int) -> None:
        """Make the count ``turns``."""
        with _reaching("reset a turn count"):
            await self._redis.set(self._key(conversation_id), turns, ex=STATE_SECONDS)
