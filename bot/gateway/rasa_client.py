"""The gateway's one client for Rasa: its REST channel and a few HTTP API calls.

User messages go to the REST channel (``POST /webhooks/rest/webhook``); conversations
that continue by themselves go through ``POST /conversations/{id}/trigger_intent``;
long conversations get a new session through ``/tracker`` and ``/execute``; a handed-off
conversation is paused and resumed through ``/tracker/events`` (:meth:`RasaClient.append_event`);
an agent taking a conversation reads its recent texts from ``/tracker``
(:meth:`RasaClient.recent_transcript`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

from bot.gateway.rasa_workers import RasaWorkers
from bot.logs import REQUEST_ID, new_request_id

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
TRANSCRIPT_LINES = 10
"""How many recent user/bot texts a handoff opened by an agent carries."""


class RasaUnavailable(Exception):
    """Rasa could not be reached, did not answer in time, or answered with an error."""


# The request never reached the worker: safe to send to another one.
_NOT_DELIVERED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The worker went away mid-turn: the turn may or may not be in the tracker store.
_LOST_MID_TURN = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class _LostMidTurn(httpx.TransportError):
    """The worker a request went to (``worker``) went away during it."""

    def __init__(self, worker: str, cause: Exception) -> None:
        super().__init__(f"{worker}: {type(cause).__name__}")
        self.worker = worker


class RasaClient:
    """Sends user messages to Rasa over one shared ``httpx.AsyncClient``.

    With several Rasa workers (RASA_URLS) each conversation goes to its own worker
    (:class:`bot.gateway.rasa_workers.RasaWorkers`); a worker that cannot be reached is
    routed around. A user message whose worker died mid-turn is looked up in the shared
    tracker store by its request id: answered from there if the turn was stored, sent
    to the next worker if not — never lost, never answered twice.
    """

    def __init__(
        self,
        base_url: str | list[str],
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        api_token: str = "",
        forget_lock: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """Create the client (no connection is opened until the first message).

        Args:
            base_url: Rasa's base URL, e.g. ``http://127.0.0.1:5005``, or every worker's.
            timeout: seconds to wait for Rasa's answer (it runs the actions first).
            transport: an httpx transport to use instead of the network (tests).
            api_token: Rasa's HTTP API token (``--auth-token``), for session starts.
            forget_lock: drops Rasa's lock of a conversation whose worker died holding
                it (the lock store is shared), so the resent message is not queued
                behind a ticket nobody will finish.
        """
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.workers = RasaWorkers(urls)
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._api_token = api_token
        self._forget_lock = forget_lock

    async def _request(
        self, conversation_id: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """``method path`` on the conversation's worker, or the next one when it cannot
        be reached (the request never arrived). Other errors are raised as httpx's."""
        candidates = self.workers.candidates(conversation_id)
        for index, worker in enumerate(candidates):
            try:
                response = await self._client.request(method, f"{worker}{path}", **kwargs)
            except _LOST_MID_TURN as exc:
                raise _LostMidTurn(worker, exc) from exc
            except _NOT_DELIVERED:
                self.workers.mark_down(worker)
                if index == len(candidates) - 1:
                    raise
                log.warning("Rasa worker %s unreachable; trying the next one", worker)
                continue
            self.workers.mark_up(worker)
            return response
        raise httpx.ConnectError("no Rasa worker")  # pragma: no cover - candidates never empty

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
        request_id = REQUEST_ID.get() or new_request_id()
        body = {
            "sender": conversation_id,
            "message": message,
            "metadata": {"identity": identity_token, "channel": channel, "request_id": request_id},
        }
        try:
            response = await self._request(conversation_id, "POST", WEBHOOK_PATH, json=body)
        except _LostMidTurn as exc:
            log.warning("Rasa worker lost %s mid-turn: %s", conversation_id, exc)
            return await self._recover(conversation_id, body, exc.worker)
        except httpx.HTTPError as exc:
            log.warning("Rasa unreachable for %s: %s", conversation_id, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        return _webhook_messages(response, conversation_id)

    async def _recover(self, conversation_id: str, body: dict[str, Any], worker: str) -> list[Any]:
        """``worker`` died during this message's turn: answer from the tracker store if
        the turn was stored, else send the message to the conversation's next worker
        (never ``pick``: other conversations' recoveries may have moved it already)."""
        self.workers.mark_down(worker)
        request_id = body["metadata"]["request_id"]
        try:
            stored = await self._stored_answer(conversation_id, request_id)
            if stored is not None:
                log.info("turn of %s was stored before the worker died", conversation_id)
                return stored
            if self._forget_lock is not None and not await self._answers(worker):
                await self._forget_lock(conversation_id)  # its ticket would block for long
            response = await self._request(conversation_id, "POST", WEBHOOK_PATH, json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"lost mid-turn, then {type(exc).__name__}") from exc
        return _webhook_messages(response, conversation_id)

    async def _answers(self, worker: str) -> bool:
        """Whether ``worker`` still answers at all (a dead one refuses connections)."""
        try:
            await self._client.get(f"{worker}/version", timeout=2.0)
        except httpx.HTTPError:
            return False
        return True

    async def _stored_answer(self, conversation_id: str, request_id: str) -> list[Any] | None:
        """The bot messages that followed the user message ``request_id`` in the stored
        tracker (as the REST channel would have answered them), or None if it is not there."""
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker"
        params = {"token": self._api_token, "include_events": "ALL"}
        response = await self._request(conversation_id, "GET", path, params=params)
        if response.status_code >= 400:
            raise httpx.HTTPError(f"tracker: HTTP {response.status_code}")
        events = response.json().get("events") or []
        return answer_after(events, request_id, conversation_id)

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
        body = {"name": intent, "entities": entities}
        response = await self._post_api(
            conversation_id, "trigger_intent", body, f"trigger {intent}"
        )
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
            state = await self._request(conversation_id, "GET", f"{path}/tracker", params=params)
            if state.status_code >= 400 or (state.json().get("active_loop") or {}).get("name"):
                return False
            started = await self._request(
                conversation_id,
                "POST",
                f"{path}/execute",
                params=params,
                json={"name": "action_session_start"},
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
        what = event.get("event") if isinstance(event, dict) else [e.get("event") for e in event]
        await self._post_api(conversation_id, "tracker/events", event, str(what))

    async def _post_api(
        self, conversation_id: str, endpoint: str, body: Any, what: str
    ) -> httpx.Response:
        """``POST /conversations/{id}/{endpoint}`` on Rasa's HTTP API (token auth).

        Args:
            conversation_id: the tracker's conversation id.
            endpoint: ``trigger_intent`` or ``tracker/events``.
            body: the JSON body.
            what: what is being done, for the log (``trigger …``, ``pause``…).

        Raises:
            RasaUnavailable: on a network error, a timeout or an HTTP error.
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}/{endpoint}"
        params = {"token": self._api_token, "include_events": "NONE"}
        try:
            response = await self._request(conversation_id, "POST", path, params=params, json=body)
        except httpx.HTTPError as exc:
            log.warning("Rasa unreachable for %s: %s", conversation_id, type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code >= 400:
            log.warning(
                "Rasa answered %s to %s for %s", response.status_code, what, conversation_id
            )
            raise RasaUnavailable(f"HTTP {response.status_code}")
        return response

    async def is_paused(self, conversation_id: str) -> bool | None:
        """Whether a conversation's tracker is paused; None when Rasa cannot say."""
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker"
        params = {"token": self._api_token, "include_events": "NONE"}
        try:
            response = await self._request(conversation_id, "GET", path, params=params)
            if response.status_code >= 400:
                return None
            paused = response.json().get("paused")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("tracker of %s unreadable: %s", conversation_id, type(exc).__name__)
            return None
        return paused if isinstance(paused, bool) else None

    async def recent_transcript(
        self, conversation_id: str, limit: int = TRANSCRIPT_LINES
    ) -> list[dict[str, str]]:
        """The conversation's last ``limit`` user and bot texts, oldest first.

        Read from Rasa's tracker (``GET /conversations/{id}/tracker``, the events applied
        in the current session): ``[{"sender": "user" | "bot", "text"}]``. Button
        payloads (``/intent{…}``) are left out: the user did not type them. Empty when
        Rasa cannot say (the handoff's packet then has no earlier messages).
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker"
        params = {"token": self._api_token, "include_events": "APPLIED"}
        try:
            response = await self._request(conversation_id, "GET", path, params=params)
            if response.status_code >= 400:
                log.warning(
                    "Rasa answered %s for %s's tracker", response.status_code, conversation_id
                )
                return []
            events = response.json().get("events")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("tracker of %s unreadable: %s", conversation_id, type(exc).__name__)
            return []
        lines = [line for line in map(_transcript_line, events or []) if line is not None]
        return lines[-limit:] if limit > 0 else []


def _webhook_messages(response: httpx.Response, conversation_id: str) -> list[Any]:
    """The bot messages of a REST webhook answer; RasaUnavailable for an HTTP error or a
    body that is not a JSON list."""
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


def answer_after(events: list[Any], request_id: str, recipient: str) -> list[Any] | None:
    """The bot messages after the user event whose metadata carries ``request_id``, in the
    REST channel's shape (``recipient_id``, ``text``, ``buttons``…); None when no user
    event carries it (that turn was never stored)."""
    for index, event in enumerate(events):
        if not isinstance(event, dict) or event.get("event") != "user":
            continue
        if ((event.get("metadata") or {}).get("request_id")) != request_id:
            continue
        answer: list[Any] = []
        for later in events[index + 1 :]:
            if not isinstance(later, dict) or later.get("event") == "user":
                break
            if later.get("event") == "bot":
                data = later.get("data") or {}
                message = {"recipient_id": recipient}
                if later.get("text"):
                    message["text"] = later["text"]
                message.update({k: v for k, v in data.items() if v})
                answer.append(message)
        return answer
    return None


def _transcript_line(event: object) -> dict[str, str] | None:
    """``{"sender", "text"}`` of a user or bot event with text, else None."""
    if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
        return None
    said = event.get("text")
    if not isinstance(said, str) or not said.strip():
        return None
    if event["event"] == "user" and said.startswith("/"):
        return None
    return {"sender": str(event["event"]), "text": said}
