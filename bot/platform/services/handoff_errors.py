"""Refusals of the handoff services; the API answers each with its status and ``code``."""

from __future__ import annotations

from bot.platform.services.errors import ServiceError


class NoHandoff(ServiceError):
    """No such handoff (404), or no open one for the conversation."""

    code = "no_handoff"


class UnknownAgent(ServiceError):
    """The ``X-Agent-Id`` names no agent (404)."""

    code = "unknown_agent"


class NoConversation(ServiceError):
    """The identity token names no conversation to hand off (422)."""

    code = "no_conversation"


class UnknownChannel(ServiceError):
    """The identity token's channel is none a handoff can be on (422)."""

    code = "unknown_channel"


class NotOpen(ServiceError):
    """The handoff is over (returned, closed, cancelled), or not in the state this needs (409)."""

    code = "not_open"


class NotYours(ServiceError):
    """Another agent holds the handoff, or nobody has taken it yet (409)."""

    code = "not_yours"


class AlreadyTaken(ServiceError):
    """Another agent took the handoff first (409); ``agent_id`` / ``agent`` hold it."""

    code = "already_taken"

    def __init__(self, agent_id: int | None, agent: str | None) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.agent = agent


class OtherUsersConversation(ServiceError):
    """The conversation's open handoff belongs to another user (403)."""

    code = "forbidden"


class NotWaiting(ServiceError):
    """The handoff is open but no longer waiting: an agent has it (409)."""

    code = "not_waiting"


class AlreadySms(ServiceError):
    """The handoff is on SMS already: there is nothing to call back on (409)."""

    code = "already_sms"


class NoVerifiedPhone(ServiceError):
    """The user has no verified phone to text (409)."""

    code = "no_verified_phone"


class SmsOptedOut(ServiceError):
    """The user's phone said STOP: it gets no texts (409)."""

    code = "sms_opted_out"
