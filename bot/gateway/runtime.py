"""What one gateway process shares across its channels, opened on startup.

Nothing here touches the network or the disk when it is created: the HTTP clients
are built by :meth:`GatewayRuntime.open` (the app's startup) and closed by
:meth:`GatewayRuntime.close`.
"""

from __future__ import annotations

import httpx

from bot.config import Settings
from bot.gateway.buttons import ButtonRegistry
from bot.gateway.conversations import ConversationLocks
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.platform_client import InternalPlatformClient


class GatewayRuntime:
    """The shared clients (platform, Rasa), button registry, locks and relay."""

    def __init__(
        self,
        settings: Settings,
        *,
        platform_transport: httpx.AsyncBaseTransport | None = None,
        rasa_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Prepare the runtime without opening anything.

        Args:
            settings: the process settings.
            platform_transport: httpx transport for the platform client (tests only).
            rasa_transport: httpx transport for the Rasa client (tests only).
        """
        self.settings = settings
        self.buttons = ButtonRegistry()
        self.locks = ConversationLocks()
        self._platform_transport = platform_transport
        self._rasa_transport = rasa_transport
        self._platform: InternalPlatformClient | None = None
        self._rasa: RasaClient | None = None
        self._relay: Relay | None = None

    async def open(self) -> None:
        """Build the HTTP clients and the relay."""
        settings = self.settings
        self._platform = InternalPlatformClient(
            settings.effective_platform_url(),
            settings.internal_token.get_secret_value(),
            timeout=settings.platform_timeout,
            transport=self._platform_transport,
        )
        self._rasa = RasaClient(
            settings.effective_rasa_url(),
            settings.rasa_timeout,
            transport=self._rasa_transport,
            api_token=settings.rasa_token.get_secret_value(),
        )
        self._relay = Relay(
            self._rasa,
            self.buttons,
            self.locks,
            settings.identity_secret.get_secret_value(),
            settings.identity_ttl_seconds,
            session_max_turns=settings.rasa_session_max_turns,
        )

    async def close(self) -> None:
        """Close the HTTP clients."""
        for client in (self._platform, self._rasa):
            if client is not None:
                await client.aclose()
        self._platform = self._rasa = self._relay = None

    @property
    def platform(self) -> InternalPlatformClient:
        """The platform's internal API client (only between open and close)."""
        if self._platform is None:
            raise RuntimeError("the gateway runtime is not open")
        return self._platform

    @property
    def relay(self) -> Relay:
        """The relay to Rasa (only between open and close)."""
        if self._relay is None:
            raise RuntimeError("the gateway runtime is not open")
        return self._relay
