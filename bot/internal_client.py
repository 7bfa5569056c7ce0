"""The platform's internal endpoints, for the gateway (never for actions).

Users, Telegram links, SMS opt-outs and receipts, 2FA codes and live conversations here;
the support handoff calls in :mod:`bot.handoff_client`, the transport in
:mod:`bot.internal_transport`.
"""

from __future__ import annotations

from typing import Any

from bot.handoff_client import HandoffCalls
from bot.platform_client import PlatformError, _answer


class InternalPlatformClient(HandoffCalls):
    """The platform's internal endpoints, for the gateway (never for actions).

    Every call carries ``Authorization: Bearer <internal token>``, the secret shared by
    the platform and the gateway; these endpoints are not scoped to one user.
    """

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

    async def conversation_seen(
        self, conversation_id: str, user_id: int, channel: str, language: str
    ) -> dict[str, Any] | None:
        """An identified user just wrote in ``conversation_id``: the platform's record of
        the conversation, or None for an unknown user (docs/handoff-contract.md)."""
        body = {
            "conversation_id": conversation_id,
            "user_id": int(user_id),
            "channel": channel,
            "language": language,
        }
        return await self._post_for_object("/internal/conversations/seen", body)

    async def live_conversations(self) -> list[dict[str, Any]]:
        """The conversations whose user wrote recently, newest first: ``conversation_id,
        organization{id, name}, user{id, name}, channel, language, last_message_at,
        seconds_since_last_message, handoff{id, state}|None``."""
        body = await self._get("/internal/conversations/live")
        return [item for item in body or [] if isinstance(item, dict)]

    # handoff and the support console (docs/handoff-contract.md). A handoff is a dict:
    # ``id, conversation_id, organization{id, name}, user{id, name, role}, channel,
    # language, reason, state, agent{id, name}|None, created_at, taken_at, ended_at,
    # waiting_seconds``. Refusals are PlatformError: 409 ``not_open``, ``not_yours``,
    # ``already_taken`` (``detail["agent"]`` names the holder); None means 404.
