"""The gateway's one client for Rasa: its REST channel and a few HTTP API calls.

User messages go to the REST channel (``POST /webhooks/rest/webhook``); conversations
that continue by themselves go through ``POST /conversations/{id}/trigger_intent``;
long conversations get a new session through ``/tracker`` and ``/execute``; a handed-off
conversation is paused and resumed through ``/tracker/events`` (:meth:`RasaClient.append_event`).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"


class RasaUnavailable(Exception):
    """Rasa could not be reached, did not answer in time, or answered with an error."""


class RasaClient:
    """Sends user messages to Rasa over one shared ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        api_token: str = "",
    ) -> None:
        """Create the client (no connection is opened until the first message).

        Args:
            base_url: Rasa's base URL, e.g. ``http://127.0.0.1:5005``.
            timeout: seconds to wait for Rasa's answer (it runs the actions first).
            transport: an httpx transport to use instead of the network (tests).
            api_token: Rasa's HTTP API token (``--auth-token``), for session starts.
        """
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self._api_token = api_token

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def send(
        self, conversation_id: str, message: str, identity_token: str, channel: str
    ) -> list[Any]:
        """Send one user message and return the bot messages Rasa answered.

        Args:
            conversation_id: Rasa's ``sender`` (the tracker's conversation id).
            message: the text or button payload to send.
            identity_token: the signed identity the actions pass on to the platform.
            channel: the channel name put into the metadata (``web``, ``telegram``, ...).

        Raises:
            RasaUnavailable: on a network error, a timeout, an HTTP error or a body that
                is not a JSON list.
        """
        body = {
            "sender": conversation_id,
            "message": message,
            "metadata": {"identity": identity_token, "channel": channel},
        }
        try:
            response = await self._client.post(WEBHOOK_PATH, json=body)
        except httpx.HTTPError as exc:
            log.warning("Rasa unreachable for %s: %s", conversation_id, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code >= 400:
            log.warning("Rasa answered %s for %s", response.status_code, conversation_id)
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            messages = response.json()
        except ValueError as exc:
            raise RasaUnavailable("answer is not JSON") from exc
        if not isinstance(messages, list):
            raise RasaUnavailable("answer is not a list")
        return messages

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, str]
    ) -> list[Any]:
        """Trigger an intent in a conversation and return the bot messages it produced.

        Rasa records an external user message (``metadata.is_external``) with these
        entities, runs the predicted actions and, without an ``output_channel``, answers
        the bot's messages as ``messages`` (same shape as the REST webhook's answer).

        Args:
            conversation_id: the tracker's conversation id.
            intent: the intent to trigger (e.g. ``repair_pairing_update``).
            entities: entity name → value (the caller adds the identity token).

        Raises:
            RasaUnavailable: on a network error, a timeout, an HTTP error or an answer
                without a ``messages`` list.
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}/trigger_intent"
        params = {"token": self._api_token, "include_events": "NONE"}
        body = {"name": intent, "entities": entities}
        try:
            response = await self._client.post(path, params=params, json=body)
        except httpx.HTTPError as exc:
            log.warning("Rasa unreachable for %s: %s", conversation_id, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code >= 400:
            log.warning(
                "Rasa answered %s to trigger %s for %s",
                response.status_code,
                intent,
                conversation_id,
            )
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise RasaUnavailable("answer is not JSON") from exc
        messages = answer.get("messages") if isinstance(answer, dict) else None
        if not isinstance(messages, list):
            raise RasaUnavailable("answer has no messages list")
        return messages

    async def start_new_session(self, conversation_id: str) -> bool:
        """Start a new Rasa session for a conversation at rest; slots are carried over.

        Runs Rasa's own ``action_session_start`` through the HTTP API, as Rasa does when a
        session expires, so the next message no longer replays the earlier session's
        events. Skipped (``False``) while a form or loop is active, or on any error: the
        conversation then simply goes on in its current session.
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}"  # Rasa does not decode %3A
        params = {"token": self._api_token, "include_events": "NONE"}
        try:
            state = await self._client.get(f"{path}/tracker", params=params)
            if state.status_code >= 400 or (state.json().get("active_loop") or {}).get("name"):
                return False
            started = await self._client.post(
                f"{path}/execute", params=params, json={"name": "action_session_start"}
            )
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("new session for %s failed: %s", conversation_id, type(exc).__name__)
            return False
        return started.status_code < 400

    async def append_event(
        self, conversation_id: str, event: dict[str, Any] | list[dict[str, Any]]
    ) -> None:
        """Append events to a conversation's tracker (``{"event": "pause"}``, a list, …).

        Rasa's HTTP API (``POST /conversations/{id}/tracker/events``, token auth); a
        paused tracker predicts nothing until it is resumed.

        Raises:
            RasaUnavailable: on a network error, a timeout or an HTTP error.
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker/events"
        params = {"token": self._api_token, "include_events": "NONE"}
        try:
            response = await self._client.post(path, params=params, json=event)
        except httpx.HTTPError as exc:
            log.warning("Rasa unreachable for %s: %s", conversation_id, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code >= 400:
            log.warning(
                "Rasa answered %s to %s for %s",
                response.status_code,
                event.get("event") if isinstance(event, dict) else [e.get("event") for e in event],
                conversation_id,
            )
            raise RasaUnavailable(f"HTTP {response.status_code}")

    async def is_paused(self, conversation_id: str) -> bool | None:
        """Whether a conversation's tracker is paused; None when Rasa cannot say."""
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker"
        params = {"token": self._api_token, "include_events": "NONE"}
        try:
            response = await self._client.get(path, params=params)
            if response.status_code >= 400:
                return None
            paused = response.json().get("paused")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("tracker of %s unreadable: %s", conversation_id, type(exc).__name__)
            return None
        return paused if isinstance(paused, bool) else None
