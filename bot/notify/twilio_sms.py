"""Sending SMS through Twilio's REST API with the official ``twilio`` client.

:class:`TwilioSmsSender` wraps ``twilio.rest.Client``: each message is one
``POST /2010-04-01/Accounts/{sid}/Messages.json``, run in a worker thread
(``asyncio.to_thread``) because the client is synchronous — the event loop never
blocks. A failure that may pass (network error, timeout, 429, 5xx) is retried a couple
of times with a short backoff; a refusal (4xx: invalid number, unsubscribed recipient,
bad credentials) is not. Log lines never show a whole phone number, a message body or
the auth token.

``TWILIO_API_BASE_URL`` points the client at another host (a local stand-in in tests,
:mod:`bot.devtools.fake_twilio`): a small ``TwilioHttpClient`` subclass rewrites
``https://api.twilio.com`` in every URL. The SMS channel uses this sender, and the
alert dispatcher reuses it: nothing here depends on the gateway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.config import Settings

log = logging.getLogger(__name__)

TWILIO_API_URL = "https://api.twilio.com"
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 0.5
RETRY_STATUSES = frozenset({429})  # and every 5xx

# The twilio client logs each request and response (URLs, headers) at INFO; ours stays
# quiet unless something goes wrong.
_http_log = logging.getLogger(__name__ + ".http")
_http_log.setLevel(logging.WARNING)


class SmsSendFailed(Exception):
    """A message could not be sent (after the retries, when retrying made sense)."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def mask_phone(phone: str) -> str:
    """A phone number for log lines: only its first 3 and last 2 characters.

    >>> mask_phone("+15550000001")
    '+15•••••••01'
    """
    phone = str(phone)
    if len(phone) <= 5:
        return "•" * len(phone)
    return phone[:3] + "•" * (len(phone) - 5) + phone[-2:]


class BaseUrlHttpClient(TwilioHttpClient):
    """The twilio client's HTTP client, sending to ``base_url`` instead of api.twilio.com."""

    def __init__(self, base_url: str = "", timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        """Create it.

        Args:
            base_url: e.g. ``http://127.0.0.1:8790``; empty keeps Twilio's own host.
            timeout: seconds to wait for Twilio's answer.
        """
        super().__init__(timeout=timeout, logger=_http_log)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send the request, to ``base_url`` when one is set."""
        if self.base_url and url.startswith(TWILIO_API_URL):
            url = self.base_url + url[len(TWILIO_API_URL) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSmsSender:
    """Sends SMS from one number of one Twilio account."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        *,
        api_base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
    ) -> None:
        """Build the client (nothing is sent until :meth:`send`).

        Args:
            account_sid: the Twilio account SID (``AC…``).
            auth_token: its auth token.
            from_: the number messages are sent from (our support number).
            api_base_url: where REST calls go (empty: Twilio itself).
            timeout: seconds to wait for one answer.
            attempts: tries per message when a failure may pass (at least 1).
            backoff_seconds: wait before the second try, doubled before each next one.
        """
        if not account_sid or not auth_token:
            raise ValueError("a Twilio account SID and auth token are needed")
        self.from_ = from_
        self._attempts = max(1, attempts)
        self._backoff = max(0.0, backoff_seconds)
        self._http = BaseUrlHttpClient(api_base_url, timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> TwilioSmsSender:
        """The sender the settings describe (``TWILIO_*``, ``SUPPORT_PHONE``)."""
        return cls(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.support_phone,
            api_base_url=settings.twilio_api_base_url,
            **kwargs,
        )

    async def send(self, to: str, body: str, from_: str | None = None) -> str:
        """Send one SMS without blocking the event loop.

        Args:
            to: the recipient, E.164 (``+15550000001``).
            body: at most 1,600 characters.
            from_: the sender number (default: the one the sender was built with).

        Returns:
            The Message SID Twilio answered (``SM…``).

        Raises:
            SmsSendFailed: Twilio refused, or every try failed.
        """
        for attempt in range(1, self._attempts + 1):
            try:
                return await asyncio.to_thread(self._create, to, body, from_ or self.from_)
            except SmsSendFailed as exc:
                if not _retryable(exc) or attempt == self._attempts:
                    raise
                log.warning(
                    "SMS to %s failed (try %d of %d): %s; retrying",
                    mask_phone(to),
                    attempt,
                    self._attempts,
                    exc,
                )
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def send_blocking(self, to: str, body: str, from_: str | None = None) -> str:
        """:meth:`send` for synchronous callers (scripts): same retries, same errors."""
        for attempt in range(1, self._attempts + 1):
            try:
                return self._create(to, body, from_ or self.from_)
            except SmsSendFailed as exc:
                if not _retryable(exc) or attempt == self._attempts:
                    raise
                time.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._http.session is not None:
            self._http.session.close()

    def _create(self, to: str, body: str, from_: str) -> str:
        """One try; every failure becomes :class:`SmsSendFailed` (logged, number masked)."""
        try:
            message = self._client.messages.create(to=to, from_=from_, body=body)
        except TwilioRestException as exc:
            log.warning(
                "Twilio refused an SMS to %s: HTTP %s, error %s",
                mask_phone(to),
                exc.status,
                exc.code,
            )
            raise SmsSendFailed(f"HTTP {exc.status}", exc.status, exc.code) from None
        except (requests.RequestException, TwilioException) as exc:
            log.warning("SMS to %s not sent: %s", mask_phone(to), type(exc).__name__)
            raise SmsSendFailed(type(exc).__name__) from None
        return str(message.sid)


def _retryable(exc: SmsSendFailed) -> bool:
    """A failure that may pass: no answer at all, 429, or a 5xx."""
    return exc.status is None or exc.status in RETRY_STATUSES or exc.status >= 500
