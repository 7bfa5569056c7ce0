"""Which adapter serves which provider account.

Every catalog provider is served by the sandbox adapter for now; a real adapter for a
provider plugs in here without the services changing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.sandbox import SandboxAdapter
from bot.platform.secrets_box import SecretsBox


def adapter_for(session: Session, box: SecretsBox, provider_key: str) -> ProviderAdapter:
    """The adapter for accounts of ``provider_key`` (the sandbox for every provider).

    Args:
        session: The caller's session (the sandbox keeps its state in the database).
        box: The credentials box.
        provider_key: The catalog key of the account's provider.
    """
    del provider_key  # every provider is simulated by the sandbox
    return SandboxAdapter(session, box)
