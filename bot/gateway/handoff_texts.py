"""What the gateway itself tells a user whose conversation is (or was) with support,
in each profile language (en, fr, es), and the words that stop waiting for support."""

from __future__ import annotations

import re
import unicodedata

DEFAULT_LANGUAGE = "en"

_TEXTS: dict[str, dict[str, str]] = {
    "cancelled": {
        "en": "OK, you're no longer waiting for support: you're back with the assistant. "
        "What can I do for you?",
        "fr": "D'accord, vous n'attendez plus le support : vous êtes de retour avec "
        "l'assistant. Que puis-je faire pour vous ?",
        "es": "De acuerdo, ya no espera al soporte: vuelve a estar con el asistente. "
        "¿En qué puedo ayudarle?",
    },
    "joined": {
        "en": "{agent} from support has joined the conversation.",
        "fr": "{agent}, de l'équipe support, a rejoint la conversation.",
        "es": "{agent}, del equipo de soporte, se ha unido a la conversación.",
    },
    "handed_back": {
        "en": "{agent} from support handed you back to the assistant: "
        "your next message goes to me.",
        "fr": "{agent}, de l'équipe support, vous a rendu à l'assistant : "
        "votre prochain message m'est adressé.",
        "es": "{agent}, del equipo de soporte, le ha devuelto al asistente: "
        "su próximo mensaje me llega a mí.",
    },
    "closed": {
        "en": "{agent} from support closed this conversation. You're back with the "
        "assistant: your next message goes to me.",
        "fr": "{agent}, de l'équipe support, a clos cette conversation. Vous êtes de retour "
        "avec l'assistant : votre prochain message m'est adressé.",
        "es": "{agent}, del equipo de soporte, ha cerrado esta conversación. Vuelve a estar "
        "con el asistente: su próximo mensaje me llega a mí.",
    },
    "not_delivered": {
        "en": "Your message couldn't reach our support team right now: "
        "please send it again in a minute.",
        "fr": "Votre message n'a pas pu être transmis à notre équipe support pour le moment : "
        "renvoyez-le dans une minute.",
        "es": "Ahora mismo su mensaje no ha podido llegar a nuestro equipo de soporte: "
        "vuelva a enviarlo dentro de un minuto.",
    },
    "support": {"en": "Support", "fr": "Le support", "es": "El soporte"},
}

AGENT_REPLY = "{agent} (support): {text}"
"""How an agent's reply reads on every channel: ``Sam (support): …``."""

CANCEL_WORDS = frozenset(
    {
        "cancel",
        "never mind",
        "nevermind",
        "stop waiting",
        "annuler",
        "annule",
        "laisse tomber",
        "laissez tomber",
        "cancelar",
        "cancela",
        "olvidalo",
        "olvidelo",
    }
)
"""Whole messages (lower case, without accents or punctuation) that stop waiting."""

_NOT_WORDS = re.compile(r"[^\w\s]+")


def text(key: str, language: str | None, **values: str) -> str:
    """The text ``key`` in ``language`` (English for other languages), filled in."""
    variants = _TEXTS[key]
    template = variants.get((language or "").lower()[:2], variants[DEFAULT_LANGUAGE])
    return template.format(**values)


def first_name(name: str | None, language: str | None) -> str:
    """An agent's first name (``Sam Support`` → ``Sam``); "Support" when there is none."""
    parts = (name or "").split()
    return parts[0] if parts else text("support", language)


def agent_reply(agent_name: str | None, message: str) -> str:
    """``Sam (support): <message>``."""
    return AGENT_REPLY.format(agent=first_name(agent_name, None), text=message)


def fold(message: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: ``¡Olvídalo!`` →
    ``olvidalo``."""
    decomposed = unicodedata.normalize("NFKD", message.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORDS.sub(" ", plain).split())


def is_cancel(message: str) -> bool:
    """Whether the whole message asks to stop waiting for support (any of en/fr/es)."""
    return fold(message) in CANCEL_WORDS
