"""What the gateway itself tells a user whose conversation is (or was) with support,
in each profile language (en, fr, es), the words that stop waiting for support, and the
payloads of the buttons offered while nobody can take the conversation (be texted back
by SMS, or keep waiting)."""

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
    "queued": {
        "en": "You're in the queue; someone from support will answer you here as soon as "
        'they\'re back. Say "cancel" to go back to the assistant.',
        "fr": "Vous êtes dans la file d'attente ; quelqu'un du support vous répondra ici dès "
        "son retour. Dites « annuler » pour revenir à l'assistant.",
        "es": "Está en la cola; alguien del soporte le responderá aquí en cuanto vuelva. "
        "Diga «cancelar» para volver al asistente.",
    },
    "callback_moved": {
        "en": "OK — we'll text you at {phone} as soon as someone from support is back. "
        "Meanwhile I'm here if you need me.",
        "fr": "D'accord — nous vous enverrons un SMS au {phone} dès que quelqu'un du support "
        "sera de retour. En attendant, je suis là si vous avez besoin de moi.",
        "es": "De acuerdo — le enviaremos un SMS al {phone} en cuanto alguien del soporte "
        "esté de vuelta. Mientras tanto, aquí estoy si me necesita.",
    },
    "callback_merged": {
        "en": "You already have a request open with support by text message: we'll answer "
        "you there, at {phone}. Meanwhile I'm here if you need me.",
        "fr": "Vous avez déjà une demande ouverte auprès du support par SMS : nous vous "
        "répondrons par SMS, au {phone}. En attendant, je suis là si vous avez besoin de moi.",
        "es": "Ya tiene una solicitud abierta con el soporte por SMS: le responderemos por "
        "SMS, al {phone}. Mientras tanto, aquí estoy si me necesita.",
    },
    "callback_no_phone": {
        "en": "I can't text you: there's no verified phone number on your profile. You're "
        "still in the queue; someone from support will answer you here.",
        "fr": "Je ne peux pas vous envoyer de SMS : votre profil n'a pas de numéro de "
        "téléphone vérifié. Vous restez dans la file d'attente ; quelqu'un du support vous "
        "répondra ici.",
        "es": "No puedo enviarle un SMS: su perfil no tiene un número de teléfono verificado. "
        "Sigue en la cola; alguien del soporte le responderá aquí.",
    },
    "callback_opted_out": {
        "en": "I can't text you: your phone number has opted out of our text messages "
        "(text START to us to opt back in). You're still in the queue; someone from "
        "support will answer you here.",
        "fr": "Je ne peux pas vous envoyer de SMS : votre numéro s'est désinscrit de nos SMS "
        "(envoyez-nous START par SMS pour vous réinscrire). Vous restez dans la file "
        "d'attente ; quelqu'un du support vous répondra ici.",
        "es": "No puedo enviarle un SMS: su número se dio de baja de nuestros SMS (envíenos "
        "START por SMS para volver a recibirlos). Sigue en la cola; alguien del soporte le "
        "responderá aquí.",
    },
    "callback_taken": {
        "en": "Someone from support is already with you here, so there's no need to text you.",
        "fr": "Quelqu'un du support est déjà avec vous ici : pas besoin de vous envoyer de SMS.",
        "es": "Alguien del soporte ya está con usted aquí, así que no hace falta enviarle un SMS.",
    },
    "callback_ended": {
        "en": "Your request to support is no longer open: you're back with the assistant. "
        "What can I do for you?",
        "fr": "Votre demande au support n'est plus ouverte : vous êtes de retour avec "
        "l'assistant. Que puis-je faire pour vous ?",
        "es": "Su solicitud al soporte ya no está abierta: vuelve a estar con el asistente. "
        "¿En qué puedo ayudarle?",
    },
    "callback_failed": {
        "en": "I couldn't arrange a text message. You're still in the queue; someone from "
        "support will answer you here.",
        "fr": "Je n'ai pas pu organiser l'envoi d'un SMS. Vous restez dans la file d'attente ; "
        "quelqu'un du support vous répondra ici.",
        "es": "No he podido organizar el envío de un SMS. Sigue en la cola; alguien del "
        "soporte le responderá aquí.",
    },
    "no_handoff": {
        "en": "You're not waiting for support here any more: you're with the assistant. "
        "What can I do for you?",
        "fr": "Vous n'attendez plus le support ici : vous êtes avec l'assistant. "
        "Que puis-je faire pour vous ?",
        "es": "Ya no espera al soporte aquí: está con el asistente. ¿En qué puedo ayudarle?",
    },
    "joined_callback": {
        "en": "Hi, this is {agent} from support, about the request you made in {where}. "
        "You can reply to this text message.",
        "fr": "Bonjour, ici {agent}, de l'équipe support, au sujet de votre demande faite "
        "dans {where}. Vous pouvez répondre à ce SMS.",
        "es": "Hola, soy {agent}, del equipo de soporte, por la solicitud que hizo en "
        "{where}. Puede responder a este SMS.",
    },
    "where_web": {"en": "the web chat", "fr": "le chat web", "es": "el chat web"},
    "where_telegram": {"en": "Telegram", "fr": "Telegram", "es": "Telegram"},
}

CALLBACK_PAYLOAD = "/handoff_callback"
"""The button "text me back" (offered while nobody can take the conversation)."""
WAIT_PAYLOAD = "/handoff_wait"
"""The button "I'll wait here"."""
HANDOFF_PAYLOADS = frozenset({CALLBACK_PAYLOAD, WAIT_PAYLOAD})

CALLBACK_REFUSALS = {
    "no_verified_phone": "callback_no_phone",
    "sms_opted_out": "callback_opted_out",
    "not_waiting": "callback_taken",
    "not_open": "callback_ended",
}
"""The platform's refusal of a callback (its ``code``) → what the user is told; any
other refusal is ``callback_failed``."""

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


def handoff_payload(message: str) -> str | None:
    """The handoff button payload the whole message is (``/handoff_callback``,
    ``/handoff_wait``), or None."""
    stripped = message.strip()
    return stripped if stripped in HANDOFF_PAYLOADS else None


def where_asked(channel: object, language: str | None) -> str:
    """Where the user asked for support, for a callback's first text: "the web chat",
    "Telegram"."""
    return text("where_telegram" if channel == "telegram" else "where_web", language)
