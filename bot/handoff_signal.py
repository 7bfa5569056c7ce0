"""How a Rasa turn tells the gateway that it opened a support handoff.

The action that opens one (``actions/support.py``) puts :data:`OPENED` as the custom
part of its "you're in the queue" reply; channels show its text, never custom parts.
The gateway keeps its cached "no handoff" answer across Rasa turns that do not carry it,
and asks the platform again after one that does — or after a turn that failed, whose
actions may have opened a handoff before failing (docs/handoff-contract.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

OPENED: dict[str, Any] = {"handoff": "opened"}
"""The ``json_message`` of the reply that says a handoff was opened (Rasa's REST channel
answers its text, then ``{"recipient_id": …, "custom": {"handoff": "opened"}}``)."""


def opened_in(messages: Iterable[Any]) -> bool:
    """Whether Rasa's answer (its REST webhook's JSON list) says a handoff was opened."""
    return any(
        isinstance(message, dict)
        and isinstance(message.get("custom"), dict)
        and message["custom"].get("handoff") == OPENED["handoff"]
        for message in messages
    )
