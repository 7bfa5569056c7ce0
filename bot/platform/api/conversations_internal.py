"""Live conversations, for the gateway and its support console
(``Authorization: Bearer <INTERNAL_TOKEN>``; docs/handoff-contract.md, "Live conversations").

* ``POST /internal/conversations/seen {conversation_id, user_id, channel, language}`` —
  an identified user just wrote in this conversation (the gateway, throttled): 200 the
  conversation. 404 ``not_found`` for an unknown user; 422 for bad input (a conversation
  id that is not ``<channel>:<user id>:…`` of this user and channel, an unknown channel):
  nothing changes.
* ``GET /internal/conversations/live`` — the conversations with a user message in the
  last ``LIVE_CONVERSATION_MINUTES``, newest first, with organization, user, channel,
  language, ``last_message_at`` and their open handoff (``handoff``: ``{id, state}`` or
  null), so an agent can take one that never asked for a person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.schemas import ErrorOut
from bot.platform.languages import normalize_language
from bot.platform.models import utcnow
from bot.platform.services.conversations import (
    LiveConversation,
    live_conversations,
    record_seen,
)
from bot.platform.services.handoff_queue import active_handoff
from bot.platform.services.users import get_user

router = APIRouter(
    prefix="/internal/conversations",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}},
    tags=["internal", "handoff"],
)

Channel = Literal["web", "telegram", "sms"]


class SeenIn(BaseModel):
    """An identified user's message in a conversation."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=3, max_length=200)
    user_id: StrictInt = Field(ge=1)
    channel: Channel
    language: str = Field(default="en", max_length=16, description="en, fr or es")

    @field_validator("language")
    @classmethod
    def _supported(cls, value: str) -> str:
        return normalize_language(value)

    @model_validator(mode="after")
    def _conversation_of_the_user(self) -> SeenIn:
        prefix = f"{self.channel}:{self.user_id}:"
        if not self.conversation_id.startswith(prefix) or self.conversation_id == prefix:
            raise ValueError("conversation_id is not this user's on this channel")
        return self


class NamedRef(BaseModel):
    """An organization or user: id and name."""

    id: int
    name: str


class OpenHandoffRef(BaseModel):
    """The conversation's open handoff."""

    id: int
    state: str


class ConversationOut(BaseModel):
    """A conversation as the console lists it."""

    conversation_id: str
    organization: NamedRef
    user: NamedRef
    channel: str
    language: str
    last_message_at: datetime
    seconds_since_last_message: int
    handoff: OpenHandoffRef | None = Field(
        description="the open (waiting / taken) handoff, if any: not offered to take"
    )

    @classmethod
    def of(cls, live: LiveConversation, now: datetime) -> ConversationOut:
        """The API view of ``live`` at ``now``."""
        conversation, handoff = live.conversation, live.open_handoff
        return cls(
            conversation_id=conversation.conversation_id,
            organization=NamedRef(
                id=conversation.organization_id, name=conversation.organization.name
            ),
            user=NamedRef(id=conversation.user_id, name=conversation.user.name),
            channel=conversation.channel,
            language=conversation.language,
            last_message_at=conversation.last_message_at,
            seconds_since_last_message=max(
                0, int((now - conversation.last_message_at).total_seconds())
            ),
            handoff=OpenHandoffRef(id=handoff.id, state=handoff.state) if handoff else None,
        )


@router.post("/seen", response_model=ConversationOut)
def seen(body: SeenIn, session: DbSession) -> ConversationOut:
    """Record that the user wrote in the conversation now (create or refresh it)."""
    user = get_user(session, body.user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})
    now = utcnow()
    conversation = record_seen(
        session, user, body.conversation_id, body.channel, body.language, now
    )
    handoff = active_handoff(session, body.conversation_id)
    return ConversationOut.of(LiveConversation(conversation, handoff), now)


@router.get("/live", response_model=list[ConversationOut])
def live(session: DbSession, state: State) -> list[ConversationOut]:
    """The conversations whose user wrote in the last ``LIVE_CONVERSATION_MINUTES``,
    newest first."""
    now = utcnow()
    minutes = int(state.settings.live_conversation_minutes)
    return [ConversationOut.of(item, now) for item in live_conversations(session, now, minutes)]
