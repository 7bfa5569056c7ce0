"""What an agent's console actions do: the platform first, then the user and Rasa.

The platform decides (one holder per handoff, only the holder replies or ends it); once
it accepted, :class:`bot.gateway.handoff.HandoffRouter` tells the user on their channel
and pauses or resumes Rasa's tracker, and the console's live namespace tells the agents.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import JSONResponse

from bot.gateway.console_auth import AgentSession
from bot.gateway.console_live import ConsoleLive
from bot.gateway.console_view import agent_id_of, already_handling, handoff_view, name_of
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.runtime import GatewayRuntime
from bot.internal_client import InternalPlatformClient
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

Handoff = dict[str, Any]
MESSAGES = {
    "not_yours": "You are not handling this conversation.",
    "not_open": "This conversation has ended.",
    "no_handoff": "This conversation does not exist (any more).",
    "not_live": "This conversation is no longer live.",
}


class ConsoleActions:
    """Sign-in, presence and the take / reply / hand back / close actions."""

    def __init__(self, runtime: GatewayRuntime, live: ConsoleLive) -> None:
        """Act through ``runtime``'s platform client and handoff router; push on ``live``."""
        self._runtime = runtime
        self._live = live

    @property
    def platform(self) -> InternalPlatformClient:
        """The platform's internal client."""
        return self._runtime.platform

    async def login(self, email: str, password: str) -> dict[str, Any] | None:
        """The agent for these credentials (now online), or None (401 ``bad_login``)."""
        if not email or not password:
            return None
        try:
            agent = await self.platform.agent_login(email, password)
        except PlatformError as exc:
            if exc.status == 422:  # e.g. a password longer than any agent's
                return None
            raise
        if not isinstance(agent, dict):
            return None
        await self.set_online(AgentSession(int(agent["id"]), "", "", ""), True, quiet=True)
        return agent

    async def set_online(self, session: AgentSession, online: bool, *, quiet: bool = False) -> None:
        """Mark the agent on- or offline (``quiet``: a failure is only logged)."""
        try:
            await self._live.set_online(session.agent_id, online)
        except (PlatformError, PlatformUnavailable) as exc:
            if not quiet:
                raise
            log.warning("agent %s not marked online=%s: %s", session.agent_id, online, exc)

    def is_online(self, session: AgentSession) -> bool:
        """What this gateway last set for the agent (False when it does not know)."""
        return self._live.is_online(session.agent_id)

    async def run(
        self,
        action: Callable[..., Awaitable[Handoff]],
        handoff_id: int,
        session: AgentSession,
        *args: Any,
    ) -> Any:
        """Run one action; the handoff's view, or the error the agent should read."""
        try:
            handoff = await action(handoff_id, session, *args)
        except PlatformUnavailable:
            message = "The platform is not reachable: try again."
            return JSONResponse({"detail": {"code": "unavailable", "message": message}}, 503)
        except PlatformError as exc:
            return JSONResponse({"detail": refusal(exc)}, status_code=exc.status)
        return handoff_view(handoff, session.agent_id)

    async def take(self, handoff_id: int, session: AgentSession) -> Handoff:
        """Take the handoff; the user is told who joined, Rasa's tracker is paused."""
        handoff = _found(await self.platform.take_handoff(handoff_id, session.agent_id))
        try:
            await self._runtime.handoffs.take(handoff, session.name)
        except RasaUnavailable as exc:
            log.error("handoff %s taken but Rasa not paused: %s", handoff_id, exc)
        await self._live.handoff_changed(handoff_id, "taken")
        return await self._fresh(handoff_id, handoff)

    async def take_live(self, conversation_id: str, session: AgentSession) -> Handoff:
        """Take a live conversation that never asked for a person.

        The platform opens a handoff (reason ``agent``, with the recent texts of Rasa's
        tracker; idempotent: a handoff opened meanwhile is the one returned) and the
        agent takes it at once, as from the queue. A conversation someone else holds
        already is refused like the race from the queue (409 ``already_taken``).

        Raises:
            PlatformError: 404 ``not_live`` (no such live conversation), 409
                ``already_taken``; PlatformUnavailable.
        """
        live = next(
            (
                item
                for item in await self.platform.live_conversations()
                if item.get("conversation_id") == conversation_id
            ),
            None,
        )
        if live is None:
            raise PlatformError(404, "not_live")
        transcript = await self._runtime.handoffs.rasa.recent_transcript(conversation_id)
        handoff = await self.platform.open_handoff(
            conversation_id,
            int(live["user"]["id"]),
            str(live["channel"]),
            str(live.get("language") or "en"),
            "agent",
            transcript,
        )
        handoff = _found(handoff)
        if handoff.get("state") == "taken":
            if agent_id_of(handoff) == session.agent_id:
                return await self._fresh(int(handoff["id"]), handoff)
            raise PlatformError(409, "already_taken", {"agent": handoff.get("agent")})
        return await self.take(int(handoff["id"]), session)

    async def reply(self, handoff_id: int, session: AgentSession, text: str) -> Handoff:
        """Store the agent's reply (only the holder may) and send it to the user."""
        stored = await self.platform.handoff_message(
            handoff_id, "agent", text, agent_id=session.agent_id
        )
        _found(stored)
        handoff = await self._fresh(handoff_id, None)
        await self._runtime.handoffs.deliver_agent_reply(handoff, session.name, text)
        await self._live.message_added(handoff_id, "agent")
        return handoff

    async def hand_back(self, handoff_id: int, session: AgentSession) -> Handoff:
        """Give the conversation back to the assistant (Rasa resumes; the user is told)."""
        handoff = _found(await self.platform.return_handoff(handoff_id, session.agent_id))
        await self._runtime.handoffs.hand_back(handoff, session.name)
        await self._live.handoff_changed(handoff_id, str(handoff.get("state", "returned")))
        return await self._fresh(handoff_id, handoff)

    async def close(self, handoff_id: int, session: AgentSession) -> Handoff:
        """Close the handoff (Rasa resumes; the user is told)."""
        handoff = _found(await self.platform.close_handoff(handoff_id, session.agent_id))
        await self._runtime.handoffs.close(handoff, session.name)
        await self._live.handoff_changed(handoff_id, str(handoff.get("state", "closed")))
        return await self._fresh(handoff_id, handoff)

    async def _fresh(self, handoff_id: int, fallback: Handoff | None) -> Handoff:
        """The handoff with its messages, as the platform has it now."""
        handoff = await self.platform.handoff(handoff_id)
        if isinstance(handoff, dict):
            return handoff
        if fallback is not None:
            return fallback
        raise PlatformError(404, "no_handoff")


def _found(answer: Handoff | None) -> Handoff:
    """The platform's answer; a 404 (None) is the agent's "no such conversation"."""
    if answer is None:
        raise PlatformError(404, "no_handoff")
    return answer


def refusal(exc: PlatformError) -> dict[str, Any]:
    """The platform's refusal, with a sentence for the agent."""
    detail = {"code": exc.code, **exc.detail}
    if exc.code == "already_taken":
        holder = exc.detail.get("agent") or exc.detail.get("holder") or exc.detail.get("agent_name")
        detail["message"] = already_handling(name_of(holder))
    elif exc.code in MESSAGES:
        detail["message"] = MESSAGES[exc.code]
    return detail
