"""Models of the oto feature (issue 4, being built): see docs/orders-contract.md."""

from __future__ import annotations
