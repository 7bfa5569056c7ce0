"""rasa-sdk trackers for action tests: a typed message, a gateway-triggered one, and
the entities and button payloads they carry."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker


def external_tracker(
    intent: str,
    token: str | None,
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    before: str = "",
) -> Tracker:
    """A tracker whose latest message the gateway triggered (Rasa's trigger-intent API).

    The identity travels as the entity ``identity``; ``before`` is the user's previous
    message.
    """
    values = dict(entities or {})
    if token:
        values["identity"] = token
    message = {
        "text": f"EXTERNAL: {intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in values.items()],
        "metadata": {"is_external": True},
    }
    events = [{"event": "user", "text": before, "metadata": {"identity": token}}] if before else []
    events.append({"event": "user", "text": message["text"], "metadata": message["metadata"]})
    return Tracker("conv-1", slots or {}, message, events, False, None, {}, "action_listen")


def tracker(
    text: str,
    intent: str,
    token: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A rasa-sdk tracker whose latest message is ``text``, sent with identity ``token``."""
    metadata: dict[str, Any] = {"channel": "webchat"}
    if token:
        metadata["identity"] = token
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": metadata,
    }
    return Tracker(
        "conv-1",
        slots or {},
        message,
        [{"event": "user", "text": text}],
        False,
        None,
        {},
        "action_listen",
    )


def entity(name: str, value: str, text: str) -> dict[str, Any]:
    """An NLU entity for ``value`` found in ``text``."""
    start = text.find(value)
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


def payload_json(button: dict[str, str]) -> dict[str, Any]:
    """The entities of a ``/intent{...}`` button payload."""
    payload = button["payload"]
    return json.loads(payload[payload.index("{") :])
