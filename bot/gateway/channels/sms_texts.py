"""What the SMS channel says itself, in English, French and Spanish.

Everything else comes from Rasa's responses. ``{support}`` is our support number
(``SUPPORT_PHONE``). A number nobody verified gets :func:`unknown_number`: one message
in English, French and Spanish together (we do not know who is texting, so not their
language either), with general help and how to register — nothing about any
organization.
"""

from __future__ import annotations

from bot.gateway.render_sms import language_of

_TEXTS: dict[str, dict[str, str]] = {
    "opted_out": {
        "en": "You won't get any more messages from us. Reply START to receive them again.",
        "fr": "Vous ne recevrez plus de messages de notre part. "
        "Répondez START pour les recevoir à nouveau.",
        "es": "No recibirá más mensajes nuestros. Responda START para volver a recibirlos.",
    },
    "opted_in": {
        "en": "You will receive our messages again. Reply HELP for help, STOP to stop them.",
        "fr": "Vous recevrez à nouveau nos messages. "
        "Répondez AIDE pour de l'aide, STOP pour ne plus en recevoir.",
        "es": "Volverá a recibir nuestros mensajes. "
        "Responda AYUDA para obtener ayuda, BAJA para dejar de recibirlos.",
    },
    "help": {
        "en": "Merchant assistant: text me a question about your delivery integrations "
        "(e.g. “status”), your orders or your stores. To reach our support team, "
        "text {support}. Reply STOP to stop messages.",
        "fr": "Assistant marchand : écrivez-moi vos questions sur vos intégrations de "
        "livraison (par ex. « statut »), vos commandes ou vos magasins. Pour joindre "
        "notre équipe support, envoyez un SMS au {support}. Répondez STOP pour ne plus "
        "recevoir de messages.",
        "es": "Asistente para comercios: escríbame sus preguntas sobre sus integraciones "
        "de reparto (p. ej. «estado»), sus pedidos o sus tiendas. Para hablar con "
        "nuestro equipo de soporte, envíe un SMS al {support}. Responda BAJA para dejar "
        "de recibir mensajes.",
    },
    "unknown_number": {
        "en": "Hi! This is the merchant assistant for restaurants on delivery platforms. "
        "This number is not registered: ask your organization's owner to add it to your "
        "profile in the dashboard and verify it, then text me again. "
        "Support: {support}. Reply STOP to stop messages.",
        "fr": "Bonjour ! Ce numéro n'est pas enregistré : demandez au propriétaire de "
        "votre organisation de l'ajouter à votre profil dans le tableau de bord et de le "
        "vérifier, puis écrivez-moi à nouveau. Support : {support}.",
        "es": "¡Hola! Este número no está registrado: pida al propietario de su "
        "organización que lo añada a su perfil en el panel y lo verifique; después "
        "vuelva a escribirme. Soporte: {support}.",
    },
    "reply_with_code": {
        "en": "To confirm, reply with the code I just sent (4 letters and digits). "
        "Nothing has been done yet.",
        "fr": "Pour confirmer, répondez avec le code que je viens d'envoyer (4 lettres et "
        "chiffres). Rien n'a encore été fait.",
        "es": "Para confirmar, responda con el código que acabo de enviar (4 letras y "
        "cifras). Todavía no se ha hecho nada.",
    },
}


def sms_text(key: str, language: str | None, support: str = "") -> str:
    """The text ``key`` in the user's language (English for any other language).

    Args:
        key: which text.
        language: the user's profile language (``en``, ``fr``, ``es``).
        support: our support number, for the texts that name it.
    """
    return _TEXTS[key][language_of(language)].format(support=support)


def unknown_number(support: str) -> str:
    """The one message an unregistered number gets: general help and how to register,
    in English, French and Spanish (nothing about any organization)."""
    variants = _TEXTS["unknown_number"]
    return "\n\n".join(variants[lang].format(support=support) for lang in ("en", "fr", "es"))
