"""The one async HTTP client through which actions (and the gateway) call the platform API.

Every call carries the identity token the gateway signed for the current message; the
platform verifies it and limits each answer to that user's organization and permissions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


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
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

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


class InternalPlatformClient:
    """The platform's internal endpoints, for the gateway (never for actions).

    Every call carries ``Authorization: Bearer <internal token>``, the secret shared by
    the platform and the gateway; these endpoints are not scoped to one user.
    """

    def __init__(
        self,
        base_url: str,
        internal_token: str,
        timeout: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Create the client (no connection is opened until the first call).

        Args:
            base_url: the platform's base URL.
            internal_token: the shared internal token.
            timeout: seconds to wait for an answer.
            transport: an httpx transport to use instead of the network (tests).
        """
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {internal_token}"},
        )

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._client.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The platform's raw answer; raises PlatformUnavailable when it cannot be reached."""
        try:
            return await self._client.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(str(exc)) from exc

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        """The JSON answer, or None on 404; raises PlatformError / PlatformUnavailable."""
        return _answer(await self._request("GET", path, params=params), missing_is_none=True)

    async def _post(
        self,
        path: str,
        body: dict[str, Any],
        *,
        missing_is_none: bool = False,
        unauthorized: tuple[int, ...] = (401,),
    ) -> Any | None:
        """POST ``body``; the JSON answer (None on 404 when ``missing_is_none``).

        Raises:
            PlatformUnauthorized: A status in ``unauthorized`` (a wrong internal token).
            PlatformError: Any other error status.
            PlatformUnavailable: The platform could not be reached in time.
        """
        response = await self._request("POST", path, body=body)
        return _answer(response, missing_is_none=missing_is_none, unauthorized=unauthorized)

    async def _post_for_object(
        self, path: str, body: dict[str, Any], *, unauthorized: tuple[int, ...] = (401,)
    ) -> dict[str, Any] | None:
        """POST ``body``; the JSON object answered, or None on 404 (see :meth:`_post`)."""
        answer = await self._post(path, body, missing_is_none=True, unauthorized=unauthorized)
        return answer if isinstance(answer, dict) else None

    async def submit_repair_code(
        self, user_id: int, conversation_id: str, code: str
    ) -> dict[str, Any] | None:
        """Hand a 2FA/MFA code typed in chat to the platform.

        Returns:
            ``{"pairing_id", "outcome"}`` when the conversation was waiting for a code,
            None when it was not (404 ``no_pending_code``).
        """
        body = {"user_id": int(user_id), "conversation_id": conversation_id, "code": code}
        return await self._post_for_object("/internal/repair/codes", body, unauthorized=())

    async def user(self, user_id: int) -> dict[str, Any] | None:
        """A user (``id, name, email, language, organization{id, name}``), or None."""
        body = await self._get(f"/internal/users/{int(user_id)}")
        return body if isinstance(body, dict) else None

    async def user_by_email(self, email: str) -> dict[str, Any] | None:
        """The user with this email, or None (accepts an object or a list answer)."""
        body = await self._get("/internal/users", {"email": email})
        if isinstance(body, list):
            body = body[0] if body else None
        return body if isinstance(body, dict) else None

    async def demo_users(self) -> list[dict[str, Any]]:
        """The demo users, for the gateway's demo dashboard."""
        body = await self._get("/internal/demo-users")
        if isinstance(body, dict):  # tolerate {"users": [...]}
            body = body.get("users")
        return [user for user in body or [] if isinstance(user, dict)]

    async def telegram_link_code(self, user_id: int) -> dict[str, Any] | None:
        """A one-time code linking a Telegram account to the user.

        Returns:
            ``{"code", "expires_at"}`` (12 URL-safe characters; ISO 8601 expiry), or
            None for an unknown user.
        """
        body = {"user_id": int(user_id)}
        return await self._post_for_object("/internal/telegram/link-codes", body)

    async def link_telegram(
        self, code: str, telegram_user_id: int, chat_id: int
    ) -> dict[str, Any] | None:
        """Link a Telegram account with a code from ``/start <code>`` (the code is used up).

        Returns:
            The user now linked (``id, name, email, language, organization``), or None
            when the code is unknown, expired or used (``invalid_code``).
        """
        body = {"code": code, "telegram_user_id": int(telegram_user_id), "chat_id": int(chat_id)}
        return await self._post_for_object("/internal/telegram/links", body)

    async def link_telegram_contact(
        self, phone: str, telegram_user_id: int, chat_id: int
    ) -> dict[str, Any] | None:
        """Link a Telegram account by the sender's own shared contact.

        Returns:
            The user whose verified phone it is, now linked; None when it is no user's
            verified phone (``unknown_phone``). A malformed phone is a PlatformError 422.
        """
        body = {"phone": phone, "telegram_user_id": int(telegram_user_id), "chat_id": int(chat_id)}
        return await self._post_for_object("/internal/telegram/links/contact", body)

    async def telegram_user(self, telegram_user_id: int) -> dict[str, Any] | None:
        """The user a Telegram account is linked to, or None."""
        body = await self._get(f"/internal/telegram/users/{int(telegram_user_id)}")
        return body if isinstance(body, dict) else None

    async def unlink_telegram(self, telegram_user_id: int) -> bool:
        """Unlink a Telegram account: True when it was linked, False when it was not."""
        response = await self._request(
            "DELETE", f"/internal/telegram/users/{int(telegram_user_id)}"
        )
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            _answer(response, unauthorized=(401,))  # raises
        return True

    async def user_by_phone(self, phone: str) -> dict[str, Any] | None:
        """The user whose **verified** phone this is (any common form), or None.

        None too for a sender that is no phone number (an alphanumeric sender id).
        """
        try:
            body = await self._get("/internal/users/by-phone", {"phone": phone})
        except PlatformError as exc:
            if exc.status == 422 and exc.code == "invalid_phone":
                return None
            raise
        return body if isinstance(body, dict) else None

    async def sms_opted_out(self, phone: str) -> bool:
        """Whether the phone number said STOP (and not START since)."""
        body = await self._get("/internal/sms/opt-outs", {"phone": phone})
        return bool(isinstance(body, dict) and body.get("opted_out"))

    async def set_sms_opt_out(self, phone: str, opted_out: bool) -> dict[str, Any]:
        """Record STOP (``opted_out=True``) or START (False); ``{"phone", "opted_out"}``."""
        body = {"phone": phone, "opted_out": bool(opted_out)}
        return await self._post("/internal/sms/opt-outs", body)

    async def first_receipt(self, channel: str, external_id: str | int) -> bool:
        """Record an inbound message's id (Telegram update_id, Twilio MessageSid).

        Returns:
            True the first time (process the message), False for a duplicate (drop it),
            across gateway processes and restarts.
        """
        body = {"channel": channel, "external_id": str(external_id)}
        answer = await self._post("/internal/channels/receipts", body)
        return bool(isinstance(answer, dict) and answer.get("first"))
