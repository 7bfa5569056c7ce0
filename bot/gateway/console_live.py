"""The console's live updates: socket.io namespace ``/console``.

A socket connects with the agent's ``console_session`` cookie (same origin; python-
socketio refuses other origins) or is refused. Connected agents share one room and get:

* ``queue {items}`` — the queue as it is now, when it changed (at connect, after a
  console action, and from a poll of the platform every :data:`POLL_SECONDS` while an
  agent is connected: handoffs are opened by the action server, not by this process);
* ``message {handoff_id, sender}`` — a message was added to a handoff's transcript
  (a user's message from :class:`bot.gateway.handoff.HandoffRouter`, or an agent's);
* ``handoff {handoff_id, state}`` — a handoff changed state (taken, returned, closed,
  cancelled by the user).

Payloads carry no message text: pages fetch what they show through the session-checked
HTTP endpoints.

Presence: this process remembers which agents it marked online (the console's toggle,
login, logout); while such an agent has a socket connected, the platform hears
``online: true`` again every ``AGENT_HEARTBEAT_SECONDS`` (it refreshes ``last_seen_at``),
so an agent whose page is gone stops counting as online after ``AGENT_PRESENCE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio

from bot.gateway.console_auth import SESSION_COOKIE, AgentSession, NotSignedIn, verify_agent_session
from bot.gateway.console_view import queue_rows
from bot.gateway.runtime import GatewayRuntime
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

NAMESPACE = "/console"
ROOM = "agents"
POLL_SECONDS = 2.0


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    raw = environ.get("HTTP_COOKIE", "")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class ConsoleLive:
    """The ``/console`` namespace's handlers and the pushes console actions trigger."""

    def __init__(self, sio: socketio.AsyncServer, runtime: GatewayRuntime) -> None:
        """Register the handlers on ``sio`` (namespace ``/console``)."""
        self._sio = sio
        self._runtime = runtime
        self._agents: dict[str, AgentSession] = {}
        self._last_queue: list[tuple[Any, ...]] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._online: dict[int, bool] = {}
        self._presence_locks: dict[int, asyncio.Lock] = {}
        sio.on("connect", self.on_connect, namespace=NAMESPACE)
        sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        runtime.on_lifecycle(shutdown=self._stop)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Accept a socket carrying a valid agent session cookie; send it the queue.

        Raises:
            ConnectionRefusedError: no session cookie, or an expired or forged one.
        """
        try:
            session = verify_agent_session(self._runtime.settings, _cookie(environ, SESSION_COOKIE))
        except NotSignedIn as exc:
            log.info("console socket refused: %s", exc)
            raise ConnectionRefusedError("unauthorized") from None
        self._agents[sid] = session
        await self._sio.enter_room(sid, ROOM, namespace=NAMESPACE)
        items = await self._queue_items()
        if items is not None:
            await self._sio.emit("queue", {"items": items}, to=sid, namespace=NAMESPACE)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="console-queue-poll")
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._beat(), name="console-heartbeat")

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket (the poll stops when no agent is left)."""
        self._agents.pop(sid, None)

    async def set_online(self, agent_id: int, online: bool) -> None:
        """Tell the platform the agent is on- or offline and remember it (on success).

        One agent's presence writes never overlap: a heartbeat in flight cannot mark
        online again an agent who just went offline.

        Raises:
            PlatformError, PlatformUnavailable: the platform refused or is unreachable.
        """
        async with self._presence_lock(agent_id):
            await self._runtime.platform.set_agent_online(agent_id, online)
            self._online[int(agent_id)] = online

    def _presence_lock(self, agent_id: int) -> asyncio.Lock:
        return self._presence_locks.setdefault(int(agent_id), asyncio.Lock())

    def is_online(self, agent_id: int) -> bool:
        """What this process last set for the agent (False when it does not know)."""
        return self._online.get(int(agent_id), False)

    def connected_online_agents(self) -> set[int]:
        """The agents with a socket connected here whom this process marked online."""
        return {s.agent_id for s in self._agents.values() if self.is_online(s.agent_id)}

    async def queue_changed(self) -> None:
        """Push the queue to every agent now (after a console action)."""
        items = await self._queue_items()
        if items is not None:
            self._last_queue = _signature(items)
            await self._sio.emit("queue", {"items": items}, room=ROOM, namespace=NAMESPACE)

    async def message_added(self, handoff_id: int, sender: str) -> None:
        """Tell the agents a handoff's transcript grew."""
        payload = {"handoff_id": int(handoff_id), "sender": sender}
        await self._sio.emit("message", payload, room=ROOM, namespace=NAMESPACE)

    async def handoff_changed(self, handoff_id: int, state: str) -> None:
        """Tell the agents a handoff changed state, then push the queue."""
        payload = {"handoff_id": int(handoff_id), "state": state}
        await self._sio.emit("handoff", payload, room=ROOM, namespace=NAMESPACE)
        await self.queue_changed()

    async def user_message(self, handoff: dict[str, Any], message: dict[str, Any]) -> None:
        """:meth:`HandoffRouter.on_user_message` listener."""
        await self.message_added(int(handoff["id"]), "user")

    async def user_changed_handoff(self, handoff: dict[str, Any]) -> None:
        """:meth:`HandoffRouter.on_handoff_changed` listener (the user cancelled)."""
        await self.handoff_changed(int(handoff["id"]), str(handoff.get("state", "")))

    async def _queue_items(self) -> list[dict[str, Any]] | None:
        try:
            return queue_rows(await self._runtime.platform.handoffs_queue())
        except (PlatformError, PlatformUnavailable, RuntimeError) as exc:
            log.warning("console queue not available: %s", exc)
            return None

    async def _poll(self) -> None:
        """While agents are connected, push the queue whenever it changed."""
        while self._agents:
            await asyncio.sleep(POLL_SECONDS)
            if not self._agents:
                break
            items = await self._queue_items()
            if items is None:
                continue
            signature = _signature(items)
            if signature != self._last_queue:
                self._last_queue = signature
                await self._sio.emit("queue", {"items": items}, room=ROOM, namespace=NAMESPACE)

    async def _beat(self) -> None:
        """While agents are connected, re-mark the online ones online (``last_seen_at``)."""
        while self._agents:
            await asyncio.sleep(float(self._runtime.settings.agent_heartbeat_seconds))
            for agent_id in sorted(self.connected_online_agents()):
                async with self._presence_lock(agent_id):
                    if not self.is_online(agent_id):  # went offline meanwhile
                        continue
                    try:
                        await self._runtime.platform.set_agent_online(agent_id, True)
                    except (PlatformError, PlatformUnavailable, RuntimeError) as exc:
                        log.warning("agent %s presence not refreshed: %s", agent_id, exc)

    async def _stop(self) -> None:
        for task in (self._poller, self._heartbeat):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._poller = self._heartbeat = None


def _signature(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What makes the queue different (not the waiting seconds, which always grow)."""
    return [(item["id"], item["state"], item["agent"]) for item in items]
