"""The support handoff calls of the platform's internal client (docs/handoff-contract.md).

On :class:`bot.internal_transport.InternalTransport`; the gateway uses them through
:class:`bot.internal_client.InternalPlatformClient`.
"""

from __future__ import annotations

from typing import Any

from bot.internal_transport import InternalTransport
from bot.platform_client import PlatformUnauthorized


class HandoffCalls(InternalTransport):
    """Open, route, take, hand back and close handoffs; agents' login and presence."""

    async def open_handoff(
        self,
        conversation_id: str,
        user_id: int,
        channel: str,
        language: str,
        reason: str,
        transcript: list[dict[str, str]] | None = None,
    ) -> dict[str, Any] | None:
        """Hand a conversation to a person (idempotent per conversation): the handoff with
        ``availability``, or None for an unknown user."""
        body = {
            "conversation_id": conversation_id,
            "user_id": int(user_id),
            "channel": channel,
            "language": language,
            "reason": reason,
            "transcript": list(transcript or []),
        }
        return await self._post_for_object("/internal/handoffs", body)

    async def active_handoff(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's open (``waiting`` / ``taken``) handoff, or None."""
        body = await self._get("/internal/handoffs/active", {"conversation_id": conversation_id})
        return body if isinstance(body, dict) else None

    async def handoff_message(
        self, handoff_id: int, sender: str, text: str, agent_id: int | None = None
    ) -> dict[str, Any] | None:
        """Store a message on a handoff (``sender`` ``user``, or ``agent`` with the holder's
        ``agent_id``): ``{id, handoff_id, sender, agent, text (redacted), created_at}``, or
        None for an unknown handoff."""
        path = f"/internal/handoffs/{int(handoff_id)}/messages"
        return await self._post_for_object(
            path, {"sender": sender, "text": text}, headers=_agent_header(agent_id)
        )

    async def cancel_handoff(self, handoff_id: int) -> dict[str, Any] | None:
        """The user stopped waiting: the handoff ``cancelled`` (or ``returned`` when an
        agent had taken it), or None for an unknown one."""
        return await self._post_for_object(f"/internal/handoffs/{int(handoff_id)}/cancel", {})

    async def request_callback(self, handoff_id: int) -> dict[str, Any] | None:
        """The waiting user asked to be texted back: ``{outcome: "moved" | "merged",
        phone (masked), sms_conversation_id, sms_handoff_id}`` with the handoff, or None for
        an unknown one (PlatformError 409 ``not_waiting``, ``not_open``, ``already_sms``,
        ``no_verified_phone``, ``sms_opted_out``: nothing changed)."""
        return await self._post_for_object(f"/internal/handoffs/{int(handoff_id)}/callback", {})

    async def agent_login(self, email: str, password: str) -> dict[str, Any] | None:
        """The agent (``id, email, name, online, last_seen_at``) whose e-mail and password
        these are, or None (the same for an unknown e-mail and a wrong password)."""
        try:
            return await self._post_for_object(
                "/internal/agents/login", {"email": email, "password": password}
            )
        except PlatformUnauthorized as exc:
            if exc.code == "bad_login":
                return None
            raise

    async def set_agent_online(self, agent_id: int, online: bool) -> dict[str, Any] | None:
        """Mark the agent online or offline: the agent, or None when unknown."""
        path = f"/internal/agents/{int(agent_id)}/online"
        return await self._post_for_object(path, {"online": bool(online)})

    async def handoffs_queue(
        self, states: tuple[str, ...] = ("waiting", "taken")
    ) -> list[dict[str, Any]]:
        """Every organization's handoffs in ``states``, oldest first."""
        body = await self._get("/internal/handoffs", {"state": ",".join(states)})
        return [item for item in body or [] if isinstance(item, dict)]

    async def handoff(self, handoff_id: int) -> dict[str, Any] | None:
        """A handoff with its ``packet`` and ``messages``, or None."""
        body = await self._get(f"/internal/handoffs/{int(handoff_id)}")
        return body if isinstance(body, dict) else None

    async def take_handoff(self, handoff_id: int, agent_id: int) -> dict[str, Any] | None:
        """The agent takes a waiting handoff (PlatformError 409 ``already_taken`` when
        another agent was first)."""
        return await self._agent_step(handoff_id, agent_id, "take")

    async def return_handoff(self, handoff_id: int, agent_id: int) -> dict[str, Any] | None:
        """The holder hands the conversation back to the assistant (``returned``)."""
        return await self._agent_step(handoff_id, agent_id, "return")

    async def close_handoff(self, handoff_id: int, agent_id: int) -> dict[str, Any] | None:
        """The holder closes the conversation (``closed``)."""
        return await self._agent_step(handoff_id, agent_id, "close")

    async def _agent_step(self, handoff_id: int, agent_id: int, step: str) -> dict[str, Any] | None:
        path = f"/internal/handoffs/{int(handoff_id)}/{step}"
        return await self._post_for_object(path, {}, headers=_agent_header(agent_id))


def _agent_header(agent_id: int | None) -> dict[str, str] | None:
    """The ``X-Agent-Id`` header of a console call (None: no agent)."""
    return {"X-Agent-Id": str(int(agent_id))} if agent_id is not None else None
