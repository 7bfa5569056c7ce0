"""Which adapter serves which provider account.

Every catalog provider is served by the sandbox adapter for now; a real adapter for a
provider plugs in here without the services changing. Whichever it is, each call is
bounded by ``PROVIDER_TIMEOUT_SECONDS`` (:mod:`bot.platform.providers.deadline`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.deadline import DeadlineAdapter
from bot.platform.providers.sandbox import SandboxAdapter
from bot.platform.secrets_box import SecretsBox


def adapter_for(session: Session, settings: Settings, provider_key: str) -> ProviderAdapter:
    """The adapter for accounts of ``provider_key`` (the sandbox for every provider),
    each call bounded by the provider timeout.

    Args:
        session: The caller's session (the sandbox keeps its state in the database).
        settings: The credentials key, the provider timeout, the sandbox's hang time.
        provider_key: The catalog key of the account's provider.
    """
    del provider_key  # every provider is simulated by the sandbox
    box = SecretsBox(settings.credentials_key)
    sandbox = SandboxAdapter(session, box, hang_seconds=settings.sandbox_hang_seconds)
    return DeadlineAdapter(sandbox, settings.provider_timeout_seconds)
