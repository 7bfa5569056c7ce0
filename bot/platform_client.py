"""The one async HTTP client through which actions (and the gateway) call the platform API.

Every call carries the identity token the gateway signed for the current message; the
platform verifies it and limits each answer to that user's organization and permissions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from bot.logs import stamp_request

PROVIDER_NOT_RESPONDING = "provider_not_responding"
"""The ``error`` of a side effect (and the ``code`` of a 504) when the delivery provider
did not answer within the platform's provider timeout; nothing was changed."""


class PlatformError(Exception):
    """The platform answered with an error the caller should explain to the user."""

    def __init__(self, status: int, code: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.detail = detail or {}


class PlatformUnauthorized(PlatformError):
    """No identity, or one the platform would not accept (forged, expired)."""


class PlatformUnavailable(Exception):
    """The platform could not be reached or did not answer in time."""


class PlatformClient:
    """Typed calls to the platform API over one shared ``httpx.AsyncClient``."""

    def __init__(
        self, base_url: str, timeout: float = 8.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            event_hooks={"request": [stamp_request]},  # X-Request-Id, X-Conversation-Id
        )

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._client.aclose()

    async def get(self, path: str, token: str | None, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` as the identity of ``token``; the JSON answer.

        Raises:
            PlatformError: The platform refused (``code`` and ``detail`` say why).
            PlatformUnauthorized: No identity, or one the platform would not accept.
            PlatformUnavailable: The platform could not be reached in time.
        """
        return await self._get(path, token, params)

    async def send(
        self, method: str, path: str, token: str | None, body: dict[str, Any] | None = None
    ) -> Any:
        """``method`` (POST, PUT, DELETE) ``path`` with a JSON body; the JSON answer.

        Raises:
            PlatformError, PlatformUnauthorized, PlatformUnavailable: as :meth:`get`.
        """
        return await self._send(method, path, token, body)

    async def _get(self, path: str, token: str | None, params: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self._client.get(path, params=clean, headers=headers)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(str(exc)) from exc
        return _answer(response)

    async def _send(
        self, method: str, path: str, token: str | None, body: dict[str, Any] | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self._client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(str(exc)) from exc
        return _answer(response, unauthorized=(401,))

    async def me(self, token: str | None) -> dict[str, Any]:
        """The caller's profile: name, language, organization, permissions."""
        return await self._get("/api/v1/me", token)

    async def integration_status(
        self,
        token: str | None,
        provider: str | None = None,
        location: str | None = None,
        lang: str = "en",
    ) -> dict[str, Any]:
        """Broken and working provider accounts of the caller's organization, filtered."""
        params = {"provider": provider, "location": location, "lang": lang}
        return await self._get("/api/v1/integrations/status", token, params)

    async def providers(self) -> list[dict[str, Any]]:
        """The provider catalog: key, display name, aliases."""
        return await self._get("/api/v1/providers", None)

    # repair (docs/repair-contract.md). A 403 answer (``forbidden``, ``not_allowed``
    # with ``who_can``) is a PlatformError with status 403, not PlatformUnauthorized.

    async def start_pairing(self, token: str | None, account_id: str, lang: str) -> dict[str, Any]:
        """Create a one-time pairing link for an account (201 ``Pairing`` with ``url``)."""
        body = {"account_id": account_id, "lang": lang}
        return await self._send("POST", "/api/v1/repair/pairings", token, body)

    async def current_pairing(self, token: str | None) -> dict[str, Any] | None:
        """The newest pairing of the identity's conversation, or None (404 ``no_pairing``)."""
        try:
            return await self._send("GET", "/api/v1/repair/pairings/current", token)
        except PlatformError as exc:
            if exc.status == 404:
                return None
            raise

    async def check_repair(self, token: str | None, account_id: str, lang: str) -> dict[str, Any]:
        """Run the check after "I've completed these steps" (``Check``)."""
        path = f"/api/v1/repair/accounts/{quote(account_id, safe='')}/check"
        return await self._send("POST", path, token, {"lang": lang})

    async def defer_repair(self, token: str | None, account_id: str) -> dict[str, Any]:
        """Record "I'll do this later" for an account."""
        path = f"/api/v1/repair/accounts/{quote(account_id, safe='')}/defer"
        return await self._send("POST", path, token, {})

    async def request_repair(self, token: str | None, account_id: str) -> dict[str, Any]:
        """Ask the organization's integration managers to fix an account."""
        path = f"/api/v1/repair/accounts/{quote(account_id, safe='')}/requests"
        return await self._send("POST", path, token, {})

    # alerts (docs/alerts-contract.md, "Chat parts"): the caller's own alerts only.

    async def alert_settings(self, token: str | None) -> dict[str, Any]:
        """The caller's alert choices: ``sms, email, phone_verified, sms_stopped,
        quiet_start, quiet_end``."""
        return await self._get("/api/v1/alerts/settings", token)

    async def update_alert_settings(
        self, token: str | None, sms: bool | None = None, email: bool | None = None
    ) -> dict[str, Any]:
        """Turn the caller's SMS and/or e-mail alerts on or off (None: leave as is).

        Returns:
            The settings after the change, with ``changed`` (``["sms", ...]``).

        Raises:
            PlatformError: 409 ``no_verified_phone`` / ``sms_stopped`` (nothing changed),
                403 ``confirmation_required`` (by SMS without the code), 422 when
                neither ``sms`` nor ``email`` is given.
        """
        body = {key: value for key, value in (("sms", sms), ("email", email)) if value is not None}
        return await self._send("PATCH", "/api/v1/alerts/settings", token, body)

    async def latest_alert(
        self, token: str | None, channel: str | None = None
    ) -> dict[str, Any] | None:
        """The incident of the latest alert sent to the caller (``channel`` ``sms`` or
        ``email`` preferred; None: any), or None when there is none (404 ``no_alert``)."""
        try:
            return await self._get("/api/v1/alerts/latest", token, {"channel": channel})
        except PlatformError as exc:
            if exc.status == 404 and exc.code == "no_alert":
                return None
            raise

    # handoff (docs/handoff-contract.md): the conversation, user and channel are the token's.

    async def open_handoff(
        self,
        token: str | None,
        reason: str,
        language: str,
        transcript: list[dict[str, str]],
    ) -> dict[str, Any]:
        """Hand the identity's conversation to a person (idempotent per conversation).

        Args:
            token: The identity token (its conversation is the one handed off).
            reason: ``asked``, ``fallbacks``, ``action_failed`` or ``agent``.
            language: The conversation's language (``en``, ``fr``, ``es``).
            transcript: The last messages, oldest first: ``{"sender": "user"|"bot", "text"}``.

        Returns:
            The handoff (``id, conversation_id, state, …``) with ``availability``:
            ``{"open": within support hours, "agents_online": n, "next_open_at": ISO|None}``.
        """
        body = {"reason": reason, "language": language, "transcript": list(transcript)}
        return await self._send("POST", "/api/v1/handoffs", token, body)


def _answer(
    response: httpx.Response,
    *,
    missing_is_none: bool = False,
    unauthorized: tuple[int, ...] = (401, 403),
) -> Any:
    """The JSON body of a successful answer, or the matching exception.

    Args:
        response: the platform's answer.
        missing_is_none: answer None for a 404 instead of raising.
        unauthorized: statuses raised as :class:`PlatformUnauthorized`; any other error
            status is a :class:`PlatformError`.
    """
    if missing_is_none and response.status_code == 404:
        return None
    if response.status_code >= 400:
        detail = _detail(response)
        code = str(detail.get("code", "error"))
        if response.status_code in unauthorized:
            raise PlatformUnauthorized(response.status_code, code, detail)
        raise PlatformError(response.status_code, code, detail)
    return response.json()


def _detail(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        return detail
    return {"code": "error", "message": str(detail)}
