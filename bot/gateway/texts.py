"""The few things the gateway itself says, in each profile language (en, fr, es).

Everything else the user reads comes from Rasa's responses.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"

_TEXTS: dict[str, dict[str, str]] = {
    "turn_failed": {
        "en": "Sorry, something went wrong on our side and I couldn't finish that. "
        "Please try again.",
        "fr": "Désolé, un problème de notre côté m'a empêché de terminer. Veuillez réessayer.",
        "es": "Lo siento, algo falló de nuestro lado y no pude terminar. Inténtelo de nuevo.",
    },
    "rasa_unavailable": {
        "en": "Sorry, I can't answer right now — please try again in a minute.",
        "fr": "Désolé, je ne peux pas répondre pour le moment — réessayez dans une minute.",
        "es": "Lo siento, ahora mismo no puedo responder. Inténtelo de nuevo en un minuto.",
    },
    "buttons_unavailable": {
        "en": "(I can't show buttons right now — please type your answer instead.)",
        "fr": "(Je ne peux pas afficher de boutons pour le moment — tapez plutôt votre réponse.)",
        "es": "(Ahora mismo no puedo mostrar botones; escriba su respuesta, por favor.)",
    },
    "button_used": {
        "en": "You already used that button. Ask me again if you need to.",
        "fr": "Vous avez déjà utilisé ce bouton. Redemandez-moi si besoin.",
        "es": "Ya usó ese botón. Vuelva a pedírmelo si lo necesita.",
    },
    "code_unchecked": {
        "en": "I couldn't check that code right now — please type it again in a minute.",
        "fr": "Je n'ai pas pu vérifier ce code pour le moment — "
        "saisissez-le à nouveau dans une minute.",
        "es": "No he podido comprobar ese código ahora mismo. "
        "Vuelva a escribirlo dentro de un minuto.",
    },
}


def text(key: str, language: str | None) -> str:
    """The text ``key`` in ``language``, falling back to English for other languages."""
    variants = _TEXTS[key]
    return variants.get((language or "").lower()[:2], variants[DEFAULT_LANGUAGE])
