"""Conversations that continue by themselves: ``POST /internal/conversations/continue``.

When something finishes outside the chat (the platform's pairing page), the platform
calls this endpoint with the internal token (docs/repair-contract.md)::

    {"conversation_id": "web:1:9f86d081884c7d65", "user_id": 1, "channel": "web",
     "intent": "repair_pairing_update", "entities": {"pairing_event": "credentials_submitted"}}

The gateway checks the token, that the conversation is one it named for that user, that
the intent (and its entity names) are allowed and that the channel can deliver; it
answers 202 at once and, in the background, takes the conversation's lock, triggers the
intent in Rasa with a fresh identity token and delivers the replies to the channel.

Errors are ``{"detail": {"code": ...}}``: 401 ``unauthorized``; 403 ``forbidden`` (the
conversation is not that user's); 422 ``bad_request``, ``unknown_intent``,
``bad_entities``, ``channel_mismatch`` or ``unknown_channel``.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from bot.gateway.conversations import MAX_CONVERSATION_ID_CHARS, parse_conversation_id
from bot.gateway.rendering import BotReply
from bot.gateway.runtime import ChannelDeliver, GatewayRuntime
from bot.identity import Identity
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

CONTINUE_PATH = "/internal/conversations/continue"
MAX_BODY_BYTES = 8_192
MAX_ENTITY_VALUE_CHARS = 200

ALLOWED_INTENTS: dict[str, frozenset[str]] = {
    "repair_pairing_update": frozenset({"pairing_event"}),
    "onboarding_update": frozenset({"onboarding_event"}),
    "oto_setup_update": frozenset({"oto_event"}),
}
"""Intents an internal caller may trigger, with the entity names each may carry."""


class ContinueRequest(BaseModel):
    """The body of a continue call (unknown fields are ignored)."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: StrictStr = Field(max_length=MAX_CONVERSATION_ID_CHARS)
    user_id: StrictInt
    channel: StrictStr | None = None
    intent: StrictStr
    entities: dict[StrictStr, StrictStr] = Field(default_factory=dict)


def _error(status: int, code: str) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status, detail={"code": code}, headers=headers)


def _authorized(authorization: str, expected: str) -> bool:
    """Whether an ``Authorization`` header carries the internal token (constant time)."""
    scheme, _, token = authorization.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _checked(body: ContinueRequest, runtime: GatewayRuntime) -> tuple[Identity, ChannelDeliver]:
    """The identity to continue as and the channel's delivery; raises the HTTP error."""
    ref = parse_conversation_id(body.conversation_id)
    if ref is None or ref.user_id != body.user_id:
        raise _error(403, "forbidden")
    allowed_entities = ALLOWED_INTENTS.get(body.intent)
    if allowed_entities is None:
        raise _error(422, "unknown_intent")
    if not set(body.entities) <= allowed_entities or any(
        len(value) > MAX_ENTITY_VALUE_CHARS for value in body.entities.values()
    ):
        raise _error(422, "bad_entities")
    if body.channel is not None and body.channel != ref.channel:
        raise _error(422, "channel_mismatch")
    deliver = runtime.delivery(ref.channel)
    if deliver is None:
        raise _error(422, "unknown_channel")
    return Identity(ref.user_id, body.conversation_id, ref.channel), deliver


async def _continue(
    runtime: GatewayRuntime,
    identity: Identity,
    intent: str,
    entities: dict[str, str],
    deliver: ChannelDeliver,
) -> None:
    """The background part: trigger the intent under the lock, deliver the replies."""
    language: str | None = None
    try:  # only for the gateway's own apology, should Rasa not answer
        user = await runtime.platform.user(identity.user_id)
        if user and isinstance(user.get("language"), str):
            language = user["language"]
    except (PlatformError, PlatformUnavailable) as exc:
        log.info("no language for user %s: %s", identity.user_id, type(exc).__name__)

    async def to_channel(replies: list[BotReply]) -> None:
        await deliver(identity.conversation_id, replies)

    await runtime.relay.continue_conversation(identity, intent, entities, language, to_channel)
    log.info("continued %s with %s", identity.conversation_id, intent)


def build_router(runtime: GatewayRuntime) -> APIRouter:
    """The internal continue endpoint, bound to the gateway's runtime."""
    router = APIRouter()

    @router.post(CONTINUE_PATH, status_code=202)
    async def continue_conversation(request: Request) -> dict[str, str]:
        """Check the call, answer 202 and continue the conversation in the background."""
        expected = runtime.settings.internal_token.get_secret_value()
        if not _authorized(request.headers.get("authorization", ""), expected):
            raise _error(401, "unauthorized")
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise _error(422, "bad_request")
        try:
            body = ContinueRequest.model_validate_json(raw)
        except ValidationError:
            raise _error(422, "bad_request") from None
        identity, deliver = _checked(body, runtime)
        runtime.spawn(
            _continue(runtime, identity, body.intent, dict(body.entities), deliver),
            name=f"continue {identity.conversation_id}",
        )
        return {"status": "accepted"}

    return router
