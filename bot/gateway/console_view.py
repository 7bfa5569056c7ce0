"""What the console shows, built from the platform's handoff objects.

The platform's answers (``GET /internal/handoffs``, ``GET /internal/handoffs/{id}``,
``GET /internal/conversations/live``) are turned into flat rows and views for the
templates and for ``console.js``; names may be plain strings or ``{id, name}`` objects,
both are accepted.
"""

from __future__ import annotations

from typing import Any

STATE_LABELS = {
    "waiting": "Waiting",
    "taken": "Taken",
    "returned": "Handed back",
    "closed": "Closed",
    "cancelled": "Cancelled by the user",
}
REASON_LABELS = {
    "asked": "Asked for a person",
    "fallbacks": "Bot did not understand",
    "action_failed": "An action failed",
    "agent": "Taken by an agent",
}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}


def name_of(value: Any) -> str:
    """``"Demo Kitchen Group"`` from a string or an ``{id, name}`` object."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or "")
    return "" if value is None else str(value)


def first_name(name: str) -> str:
    """``"Ana"`` from ``"Ana Agent"``."""
    return name.split()[0] if name.strip() else "Another agent"


def agent_id_of(handoff: dict[str, Any]) -> int | None:
    """The holder's id, from ``agent_id`` or ``agent{id}``."""
    agent = handoff.get("agent")
    raw = agent.get("id") if isinstance(agent, dict) else handoff.get("agent_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def waiting_text(seconds: float) -> str:
    """``"42 s"``, ``"5 min"``, ``"1 h 3 min"`` (as console.js writes it)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def queue_rows(answer: Any) -> list[dict[str, Any]]:
    """The queue's rows (a list, or ``{"items": [...]}``), oldest first as given."""
    items = answer.get("items", []) if isinstance(answer, dict) else answer or []
    rows = []
    for item in items:
        if not isinstance(item, dict):
            continue
        seconds = float(item.get("waiting_seconds") or 0)
        state = str(item.get("state", ""))
        reason = str(item.get("reason", ""))
        rows.append(
            {
                "id": int(item["id"]),
                "waiting_seconds": int(seconds),
                "waiting": waiting_text(seconds),
                "organization": name_of(item.get("organization")),
                "user": name_of(item.get("user")),
                "channel": str(item.get("channel", "")),
                "reason": REASON_LABELS.get(reason, reason),
                "state": state,
                "state_label": _state_label(state, name_of(item.get("agent"))),
                "agent": name_of(item.get("agent")),
                "sms_callback": sms_callback_text(item.get("sms_callback")),
            }
        )
    return rows


def sms_callback_text(masked: Any) -> str:
    """``"SMS callback ••••1234"`` when the user asked to be texted back, else ``""``."""
    if isinstance(masked, dict):
        masked = masked.get("phone") or masked.get("masked")
    if not isinstance(masked, str) or not masked.strip():
        return ""
    return f"SMS callback {masked.strip()}"


def waiting_banner(rows: list[dict[str, Any]]) -> str:
    """``"3 conversations waiting, oldest 12 min"`` (as console.js writes it), or ``""``."""
    waiting = [row["waiting_seconds"] for row in rows if row.get("state") == "waiting"]
    if not waiting:
        return ""
    noun = "conversation" if len(waiting) == 1 else "conversations"
    return f"{len(waiting)} {noun} waiting, oldest {waiting_text(max(waiting))}"


def ago_text(seconds: float) -> str:
    """``"just now"``, ``"42 s ago"``, ``"5 min ago"`` (as console.js writes it)."""
    if seconds < 5:
        return "just now"
    return f"{waiting_text(seconds)} ago"


def live_rows(answer: Any) -> list[dict[str, Any]]:
    """The live conversations' rows, newest first as given; ``handoff_id`` and
    ``handoff_state`` set when the conversation is with support already (no "Take")."""
    rows = []
    for item in answer if isinstance(answer, list) else []:
        if not isinstance(item, dict) or not item.get("conversation_id"):
            continue
        seconds = float(item.get("seconds_since_last_message") or 0)
        handoff = item.get("handoff") if isinstance(item.get("handoff"), dict) else None
        language = str(item.get("language", ""))
        rows.append(
            {
                "conversation_id": str(item["conversation_id"]),
                "organization": name_of(item.get("organization")),
                "user": name_of(item.get("user")),
                "channel": str(item.get("channel", "")),
                "language": LANGUAGE_NAMES.get(language, language),
                "seconds": int(seconds),
                "ago": ago_text(seconds),
                "handoff_id": int(handoff["id"]) if handoff else None,
                "handoff_state": STATE_LABELS.get(str(handoff.get("state")), "") if handoff else "",
            }
        )
    return rows


def _state_label(state: str, agent: str) -> str:
    if state == "taken" and agent:
        return f"Taken by {first_name(agent)}"
    return STATE_LABELS.get(state, state)


def state_text(handoff: dict[str, Any], agent_id: int) -> str:
    """One line on what is happening, from the viewing agent's side."""
    state = str(handoff.get("state", ""))
    holder = name_of(handoff.get("agent"))
    if state == "taken":
        if agent_id_of(handoff) == agent_id:
            return "You are handling this conversation."
        return already_handling(holder)
    if state == "waiting":
        return "Waiting for an agent."
    return f"This conversation has ended: {STATE_LABELS.get(state, state).lower()}."


def already_handling(holder: str) -> str:
    """What the agent who lost the race is told."""
    return f"{first_name(holder)} is already handling this conversation"


def _packet(handoff: dict[str, Any]) -> dict[str, Any]:
    packet = handoff.get("packet")
    return packet if isinstance(packet, dict) else {}


def _pick(packet: dict[str, Any], handoff: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if packet.get(key) not in (None, "", [], {}):
            return packet[key]
        if handoff.get(key) not in (None, "", [], {}):
            return handoff[key]
    return None


def packet_view(handoff: dict[str, Any]) -> dict[str, Any]:
    """The packet's parts as the conversation page shows them."""
    packet = _packet(handoff)
    user = _pick(packet, handoff, "user")
    user_name = name_of(user)
    role = user.get("role") if isinstance(user, dict) else None
    language = str(_pick(packet, handoff, "language") or "")
    reason = str(_pick(packet, handoff, "reason") or "")
    recent = _pick(packet, handoff, "recent_messages", "transcript", "recent") or []
    return {
        "organization": name_of(_pick(packet, handoff, "organization")),
        "user_name": user_name,
        "user": f"{user_name} ({role})" if role else user_name,
        "channel": str(_pick(packet, handoff, "channel") or ""),
        "language": f"{language} ({LANGUAGE_NAMES[language]})"
        if language in LANGUAGE_NAMES
        else language,
        "reason": REASON_LABELS.get(reason, reason),
        "issue": _pick(packet, handoff, "issue"),
        "status": _pick(packet, handoff, "status", "current_status"),
        "recent": [_earlier(message, user_name) for message in recent if isinstance(message, dict)],
    }


def _earlier(message: dict[str, Any], user_name: str) -> dict[str, str]:
    sender = str(message.get("sender", ""))
    who = {"user": user_name or "User", "bot": "Assistant"}.get(sender, sender)
    return {"sender": sender, "from": f"{who}:", "text": str(message.get("text", ""))}


def handoff_view(handoff: dict[str, Any], agent_id: int) -> dict[str, Any]:
    """The live part of the conversation page: state, buttons, transcript."""
    user_name = name_of(_pick(_packet(handoff), handoff, "user")) or "User"
    messages = []
    for message in handoff.get("messages") or []:
        if not isinstance(message, dict):
            continue
        sender = str(message.get("sender", ""))
        if sender == "agent":
            who = f"{first_name(name_of(message.get('agent')) or 'Agent')} (support)"
        elif sender == "user":
            who = user_name
        else:
            who = "System"
        messages.append({"sender": sender, "from": f"{who}:", "text": str(message.get("text", ""))})
    state = str(handoff.get("state", ""))
    return {
        "id": int(handoff["id"]),
        "state": state,
        "state_text": state_text(handoff, agent_id),
        "mine": state == "taken" and agent_id_of(handoff) == agent_id,
        "messages": messages,
    }
