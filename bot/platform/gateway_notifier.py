"""Tell the gateway that a conversation can go on (after a step on the pairing page).

``POST {gateway}/internal/conversations/continue`` with the internal token; the gateway
then triggers the intent it names (``repair_pairing_update``, ``onboarding_update``,
``oto_setup_update``) in Rasa. Called in the background
after the step is committed: a failed notification is logged (without secrets) and the
state stays in the platform, where the bot reads it when the user types "done".
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from bot.config import Settings

logger = logging.getLogger(__name__)

CONTINUE_PATH = "/internal/conversations/continue"
INTENT = "repair_pairing_update"
TRIES = 3
BACKOFF_SECONDS = (0.2, 0.6)
"""Pauses before the second and the third try."""


async def notify_pairing_event(
    settings: Settings,
    *,
    conversation_id: str,
    user_id: int,
    channel: str,
    pairing_event: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> bool:
    """Ask the gateway to continue a conversation after a pairing-page step.

    Args:
        settings: The gateway's URL and the internal token.
        conversation_id: The conversation the pairing was started from.
        user_id: The pairing's user.
        channel: The conversation's channel (``web``, ``telegram``, ``sms``).
        pairing_event: ``credentials_submitted`` or ``code_submitted``.
        transport: An httpx transport instead of the network (tests).

    Returns:
        Whether the gateway accepted it (a 2xx answer) within :data:`TRIES` tries.
    """
    return await notify_conversation(
        settings,
        conversation_id=conversation_id,
        user_id=user_id,
        channel=channel,
        intent=INTENT,
        entities={"pairing_event": pairing_event},
        transport=transport,
    )


async def notify_conversation(
    settings: Settings,
    *,
    conversation_id: str,
    user_id: int,
    channel: str,
    intent: str,
    entities: dict[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> bool:
    """Ask the gateway to continue a conversation by triggering ``intent`` with ``entities``.

    The gateway accepts only the intents (and entity names) of its ``ALLOWED_INTENTS``.

    Returns:
        Whether the gateway accepted it (a 2xx answer) within :data:`TRIES` tries.
    """
    body = {
        "conversation_id": conversation_id,
        "user_id": user_id,
        "channel": channel,
        "intent": intent,
        "entities": dict(entities),
    }
    headers = {"Authorization": f"Bearer {settings.internal_token.get_secret_value()}"}
    base_url = settings.effective_gateway_url().rstrip("/")
    problem = ""
    async with httpx.AsyncClient(
        base_url=base_url, timeout=settings.platform_timeout, transport=transport
    ) as client:
        for attempt in range(TRIES):
            if attempt:
                await asyncio.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])
            try:
                response = await client.post(CONTINUE_PATH, json=body, headers=headers)
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
                continue
            if response.is_success:
                return True
            problem = f"HTTP {response.status_code}"
            if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                break  # the gateway refused it: trying again would not help
    logger.warning(
        "could not notify the gateway (%s) of %s %s in conversation %s: %s",
        base_url,
        intent,
        sorted(entities.values()),
        conversation_id,
        problem,
    )
    return False
