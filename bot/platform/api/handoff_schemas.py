"""Request and response bodies of the handoff endpoints (docs/handoff-contract.md), and how
the handoff services' refusals become HTTP answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import Self

from bot.platform.api.schemas import OrganizationRef
from bot.platform.languages import normalize_language
from bot.platform.models import Agent, Handoff, HandoffMessage
from bot.platform.services.errors import ServiceError
from bot.platform.services.handoff_errors import (
    AlreadySms,
    AlreadyTaken,
    NoHandoff,
    NotOpen,
    NotWaiting,
    NotYours,
    NoVerifiedPhone,
    OtherUsersConversation,
    SmsOptedOut,
    UnknownAgent,
)
from bot.platform.services.handoff_packet import role_of
from bot.platform.services.handoff_queue import sms_callback_of, waiting_seconds

Reason = Literal["asked", "fallbacks", "action_failed", "agent"]
Channel = Literal["web", "telegram", "sms"]
State = Literal["waiting", "taken", "returned", "closed", "cancelled"]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class TranscriptLine(BaseModel):
    """One earlier message of the conversation."""

    sender: Literal["user", "bot"]
    text: Annotated[str, Field(max_length=4000)]


class HandoffOpenFields(BaseModel):
    """What both open endpoints read: why, in which language, the recent messages."""

    reason: Reason = "asked"
    language: str = Field(default="en", max_length=16, description="en, fr or es")
    transcript: Annotated[list[TranscriptLine], Field(max_length=100)] = []

    @field_validator("language")
    @classmethod
    def _supported(cls, value: str) -> str:
        return normalize_language(value)


class HandoffOpenIn(HandoffOpenFields):
    """Hand the caller's conversation (from the identity token) to a person."""

    model_config = ConfigDict(extra="forbid")


class InternalHandoffOpenIn(HandoffOpenFields):
    """Hand a conversation to a person (the gateway, by the internal token)."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=200)
    user_id: int = Field(ge=1)
    channel: Channel


class MessageIn(BaseModel):
    """A message on a handoff: the user's (relayed by the gateway) or the agent's."""

    model_config = ConfigDict(extra="forbid")

    sender: Literal["user", "agent"]
    text: Text


class LoginIn(BaseModel):
    """An agent's console login."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class OnlineIn(BaseModel):
    """Whether the agent is taking conversations now."""

    model_config = ConfigDict(extra="forbid")

    online: bool


class AgentRef(BaseModel):
    """An agent as a handoff names them."""

    id: int
    name: str


class AgentOut(BaseModel):
    """A support agent."""

    id: int
    email: str
    name: str
    online: bool
    last_seen_at: datetime | None

    @classmethod
    def of(cls, agent: Agent) -> Self:
        """The API view of ``agent``."""
        return cls(
            id=agent.id,
            email=agent.email,
            name=agent.name,
            online=agent.online,
            last_seen_at=agent.last_seen_at,
        )


class HandoffUser(BaseModel):
    """Who asked for a person."""

    id: int
    name: str
    role: str = Field(description="what they may do, e.g. 'manages integrations, cancels orders'")


class Availability(BaseModel):
    """Whether a person can answer soon."""

    open: bool = Field(description="within support hours now")
    agents_online: int
    next_open_at: datetime | None = Field(description="when support hours next start (outside)")


class HandoffOut(BaseModel):
    """A handoff as the gateway and the console see it (no packet, no messages)."""

    id: int
    conversation_id: str
    organization: OrganizationRef
    user: HandoffUser
    channel: Channel
    language: str
    reason: Reason
    state: State
    agent: AgentRef | None = Field(description="who holds (or held) it")
    created_at: datetime
    taken_at: datetime | None
    ended_at: datetime | None
    waiting_seconds: int = Field(description="how long the user waited (until taken, or now)")
    sms_callback: str | None = Field(
        default=None,
        description="a callback handoff (moved to SMS at the user's request): the phone "
        "support texts, masked ('•••• 0001'); else null",
    )
    callback_from: Channel | None = Field(
        default=None, description="a callback handoff: the channel the user asked on"
    )

    @classmethod
    def of(cls, handoff: Handoff, now: datetime, **extra: Any) -> Self:
        """The API view of ``handoff`` at ``now``; ``extra`` fills a subclass's fields
        (or overrides one)."""
        callback = sms_callback_of(handoff) or {}
        fields: dict[str, Any] = dict(
            id=handoff.id,
            conversation_id=handoff.conversation_id,
            organization=OrganizationRef(
                id=handoff.organization_id, name=handoff.organization.name
            ),
            user=HandoffUser(
                id=handoff.user_id, name=handoff.user.name, role=role_of(handoff.user)
            ),
            channel=handoff.channel,  # type: ignore[arg-type]
            language=handoff.language,
            reason=handoff.reason,  # type: ignore[arg-type]
            state=handoff.state,  # type: ignore[arg-type]
            agent=AgentRef(id=handoff.agent.id, name=handoff.agent.name) if handoff.agent else None,
            created_at=handoff.created_at,
            taken_at=handoff.taken_at,
            ended_at=handoff.ended_at,
            waiting_seconds=waiting_seconds(handoff, now),
            sms_callback=callback.get("phone"),
            callback_from=callback.get("from_channel"),
        )
        return cls(**{**fields, **extra})


class HandoffOpenOut(HandoffOut):
    """The handoff just opened (201) or open already (200), and who can answer.

    Here ``sms_callback`` is an offer: the masked phone support can text back when
    nobody can take the conversation now (outside hours or nobody online), the handoff
    waits on the web or Telegram and the user has a verified phone not opted out of SMS;
    else null.
    """

    availability: Availability


class HandoffCallbackOut(HandoffOut):
    """A callback by SMS requested: the handoff moved to the user's SMS conversation, or
    cancelled because that conversation had one open already."""

    outcome: Literal["moved", "merged"] = Field(
        description="moved: this handoff is now on SMS; merged: the SMS conversation "
        "had an open handoff already, this one is cancelled"
    )
    phone: str = Field(description="the phone support will text, masked ('•••• 0001')")
    sms_conversation_id: str = Field(description="the conversation support answers in")
    sms_handoff_id: int = Field(description="the handoff support answers on")


class MessageOut(BaseModel):
    """One message of a handoff (its text redacted)."""

    id: int
    handoff_id: int
    sender: Literal["user", "agent", "system"]
    agent: AgentRef | None
    text: str
    created_at: datetime

    @classmethod
    def of(cls, message: HandoffMessage) -> Self:
        """The API view of ``message``."""
        agent = message.agent
        return cls(
            id=message.id,
            handoff_id=message.handoff_id,
            sender=message.sender,  # type: ignore[arg-type]
            agent=AgentRef(id=agent.id, name=agent.name) if agent else None,
            text=message.text,
            created_at=message.created_at,
        )


class HandoffDetailOut(HandoffOut):
    """A handoff with its packet and messages (the console's handoff page)."""

    packet: dict[str, Any]
    messages: list[MessageOut]


def handoff_error(exc: ServiceError) -> HTTPException:
    """The HTTP answer for a handoff refusal: 404, 409 (``already_taken`` names the
    holder), 403 or 422, each with its ``code``."""
    detail: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, NoHandoff | UnknownAgent):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, AlreadyTaken):
        code = status.HTTP_409_CONFLICT
        detail["agent"] = {"id": exc.agent_id, "name": exc.agent}
    elif isinstance(
        exc, NotOpen | NotYours | NotWaiting | AlreadySms | NoVerifiedPhone | SmsOptedOut
    ):
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, OtherUsersConversation):
        code = status.HTTP_403_FORBIDDEN
    else:  # NoConversation, bad input
        code = 422
    return HTTPException(status_code=code, detail=detail)
