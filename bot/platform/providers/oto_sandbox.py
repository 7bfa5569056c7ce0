"""The sandbox OTO adapter: checks a retailer ID and token the way OTO would.

OTO's integration guide: "If the Retailer ID and Token are valid, the settings will be
saved; if they are invalid, an error message will be shown." The sandbox accepts exactly
the demo's pair (DEMO.md: ``OTO-DEMO-1`` / ``oto-demo-token``) and rejects any other.
Nothing it is given is logged or kept.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.platform.demo_data import OTO_DEMO_RETAILER_ID, OTO_DEMO_TOKEN

OtoVerdict = Literal["valid", "invalid", "provider_error"]
"""OTO's answer to a retailer ID and token: accepted, refused, or no answer."""


@dataclass(frozen=True)
class OtoCheck:
    """OTO's answer to a retailer ID and token."""

    verdict: OtoVerdict

    @property
    def valid(self) -> bool:
        """Whether OTO accepted the pair."""
        return self.verdict == "valid"


class OtoAdapter(Protocol):
    """What the platform asks of OTO (a dispatch system, not an ordering provider)."""

    def verify_credentials(self, retailer_id: str, token: str) -> OtoCheck:
        """Whether OTO accepts ``retailer_id`` with ``token``."""
        ...


class OtoSandboxAdapter:
    """OTO as the demo simulates it: only the demo's pair is valid."""

    def __init__(
        self, retailer_id: str = OTO_DEMO_RETAILER_ID, token: str = OTO_DEMO_TOKEN
    ) -> None:
        """Build the sandbox with the pair it accepts (the demo's by default)."""
        self._retailer_id = retailer_id
        self._token = token

    def verify_credentials(self, retailer_id: str, token: str) -> OtoCheck:
        """``valid`` for the accepted pair (compared in constant time), else ``invalid``."""
        same_id = hmac.compare_digest(retailer_id.encode(), self._retailer_id.encode())
        same_token = hmac.compare_digest(token.encode(), self._token.encode())
        return OtoCheck("valid" if same_id and same_token else "invalid")

    def __repr__(self) -> str:
        """No secret in a repr (it could end up in a log or a traceback)."""
        return "OtoSandboxAdapter()"


def oto_adapter() -> OtoAdapter:
    """The OTO adapter the platform uses (the sandbox: OTO is simulated in the product)."""
    return OtoSandboxAdapter()
