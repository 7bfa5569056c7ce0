"""The transport of the platform's internal client: the internal token on every call,
and the platform's answers read the same way (:func:`bot.platform_client._answer`)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.logs import stamp_request
from bot.platform_client import PlatformUnavailable, _answer


class InternalTransport:
    """Calls the platform's internal endpoints with ``Authorization: Bearer <token>``."""

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
            event_hooks={"request": [stamp_request]},  # X-Request-Id, X-Conversation-Id
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
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The platform's raw answer; raises PlatformUnavailable when it cannot be reached."""
        try:
            return await self._client.request(
                method, path, json=body, params=params, headers=headers
            )
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
        headers: dict[str, str] | None = None,
    ) -> Any | None:
        """POST ``body`` (with extra ``headers``); the JSON answer (None on 404 when
        ``missing_is_none``).

        Raises:
            PlatformUnauthorized: A status in ``unauthorized`` (a wrong internal token).
            PlatformError: Any other error status.
            PlatformUnavailable: The platform could not be reached in time.
        """
        response = await self._request("POST", path, body=body, headers=headers)
        return _answer(response, missing_is_none=missing_is_none, unauthorized=unauthorized)

    async def _post_for_object(
        self,
        path: str,
        body: dict[str, Any],
        *,
        unauthorized: tuple[int, ...] = (401,),
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """POST ``body``; the JSON object answered, or None on 404 (see :meth:`_post`)."""
        answer = await self._post(
            path, body, missing_is_none=True, unauthorized=unauthorized, headers=headers
        )
        return answer if isinstance(answer, dict) else None
