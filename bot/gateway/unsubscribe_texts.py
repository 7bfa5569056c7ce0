"""The words of the alert e-mail unsubscribe page, in every supported language (en, fr, es).

The chat phrases quoted ("send me e-mail alerts"…) are ones the assistant understands
(``alerts_on`` with the e-mail channel, data/nlu/alerts.yml).
"""

from __future__ import annotations

from typing import Final

PAGE_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Alert e-mails",
        "ask": (
            "You receive an e-mail from the merchant assistant when one of your stores "
            "is disconnected from a delivery platform. Do you want to stop these e-mails?"
        ),
        "button": "Stop alert e-mails",
        "done_title": "Alert e-mails are off",
        "done": "You will no longer receive alert e-mails.",
        "back_on": (
            "To turn them back on, tell the assistant in chat: \u201csend me e-mail alerts\u201d."
        ),
        "invalid_title": "This link is not valid",
        "invalid": (
            "This unsubscribe link is incomplete or has been altered, so nothing was "
            "changed. Use the link from the alert e-mail itself, or tell the assistant "
            "in chat: \u201cstop e-mail alerts\u201d."
        ),
        "unavailable_title": "Please try again later",
        "unavailable": "We could not update your alerts just now; nothing was changed.",
    },
    "fr": {
        "title": "E-mails d'alerte",
        "ask": (
            "Vous recevez un e-mail de l'assistant marchand quand l'un de vos magasins est "
            "déconnecté d'une plateforme de livraison. Voulez-vous arrêter ces e-mails ?"
        ),
        "button": "Arrêter les e-mails d'alerte",
        "done_title": "Les e-mails d'alerte sont désactivés",
        "done": "Vous ne recevrez plus d'e-mails d'alerte.",
        "back_on": (
            "Pour les réactiver, dites à l'assistant dans le chat : "
            "\u00ab\u00a0envoie-moi les alertes par e-mail\u00a0\u00bb."
        ),
        "invalid_title": "Ce lien n'est pas valide",
        "invalid": (
            "Ce lien de désabonnement est incomplet ou a été modifié : rien n'a été changé. "
            "Utilisez le lien de l'e-mail d'alerte lui-même, ou dites à l'assistant dans le "
            "chat : \u00ab\u00a0arrête les alertes par e-mail\u00a0\u00bb."
        ),
        "unavailable_title": "Veuillez réessayer plus tard",
        "unavailable": "Nous n'avons pas pu modifier vos alertes pour l'instant ; rien n'a changé.",
    },
    "es": {
        "title": "Correos de alerta",
        "ask": (
            "Recibe un correo del asistente de comercios cuando una de sus tiendas se "
            "desconecta de una plataforma de reparto. ¿Quiere dejar de recibir estos correos?"
        ),
        "button": "Dejar de recibir los correos de alerta",
        "done_title": "Los correos de alerta están desactivados",
        "done": "Ya no recibirá correos de alerta.",
        "back_on": (
            "Para volver a activarlos, dígale al asistente en el chat: "
            "\u00abmándame las alertas por correo\u00bb."
        ),
        "invalid_title": "Este enlace no es válido",
        "invalid": (
            "Este enlace para darse de baja está incompleto o ha sido modificado, así que no "
            "se ha cambiado nada. Use el enlace del propio correo de alerta, o dígale al "
            "asistente en el chat: \u00abdesactiva las alertas por correo\u00bb."
        ),
        "unavailable_title": "Vuelva a intentarlo más tarde",
        "unavailable": "No hemos podido cambiar sus alertas ahora mismo; no se ha cambiado nada.",
    },
}


def page_texts(language: str) -> dict[str, str]:
    """The page's words in ``language`` (English when it is not supported)."""
    return PAGE_TEXTS.get(language, PAGE_TEXTS["en"])
