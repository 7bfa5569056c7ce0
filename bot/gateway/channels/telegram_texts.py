"""What the Telegram channel itself says (linking, help for unlinked chats), in en/fr/es.

Everything a linked user reads about their business comes from Rasa. These texts never
name an organization, a store or anything else of a merchant: an unlinked chat learns
only what the assistant does and how to link an account.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "fr", "es")

_TEXTS: dict[str, dict[str, str]] = {
    "help_unlinked": {
        "en": (
            "Hi! I'm the merchant assistant. I check your delivery-provider integrations "
            "(Uber Eats, DoorDash, Grubhub and more), help you reconnect them, activate "
            "stores and cancel live orders.\n\n"
            "This Telegram account is not linked to a merchant account yet. To link it:\n"
            "1. In your merchant dashboard, choose “Link Telegram” and open the link it "
            "gives you — or send me /start followed by the code it shows.\n"
            "2. Or tap “{share}” below, if that number is verified on your merchant account."
        ),
        "fr": (
            "Bonjour ! Je suis l'assistant marchand. Je vérifie vos intégrations avec les "
            "plateformes de livraison (Uber Eats, DoorDash, Grubhub et d'autres), je vous aide "
            "à les reconnecter, à activer des magasins et à annuler des commandes en cours.\n\n"
            "Ce compte Telegram n'est pas encore lié à un compte marchand. Pour le lier :\n"
            "1. Dans votre tableau de bord marchand, choisissez « Lier Telegram » et ouvrez le "
            "lien proposé — ou envoyez-moi /start suivi du code affiché.\n"
            "2. Ou appuyez sur « {share} » ci-dessous, si ce numéro est vérifié sur votre "
            "compte marchand."
        ),
        "es": (
            "¡Hola! Soy el asistente para comercios. Reviso sus integraciones con las "
            "plataformas de reparto (Uber Eats, DoorDash, Grubhub y más), le ayudo a "
            "reconectarlas, activar tiendas y cancelar pedidos en curso.\n\n"
            "Esta cuenta de Telegram aún no está vinculada a una cuenta de comercio. "
            "Para vincularla:\n"
            "1. En su panel de comercio, elija «Vincular Telegram» y abra el enlace que le "
            "da, o envíeme /start seguido del código que muestra.\n"
            "2. O pulse «{share}» abajo, si ese número está verificado en su cuenta de comercio."
        ),
    },
    "share_contact": {
        "en": "Share my phone number",
        "fr": "Partager mon numéro",
        "es": "Compartir mi número",
    },
    "linked": {
        "en": (
            "Welcome, {name}! Your Telegram account is now linked. Ask me things like "
            "“are my integrations ok?” or “which stores are disconnected?”."
        ),
        "fr": (
            "Bienvenue, {name} ! Votre compte Telegram est maintenant lié. Demandez-moi par "
            "exemple « mes intégrations fonctionnent-elles ? » ou « quels magasins sont "
            "déconnectés ? »."
        ),
        "es": (
            "¡Bienvenido/a, {name}! Su cuenta de Telegram ya está vinculada. Pregúnteme, por "
            "ejemplo, «¿funcionan mis integraciones?» o «¿qué tiendas están desconectadas?»."
        ),
    },
    "already_linked": {
        "en": (
            "Hi {name}, this Telegram account is linked to you. Ask me things like "
            "“are my integrations ok?”. Send /unlink to unlink it."
        ),
        "fr": (
            "Bonjour {name}, ce compte Telegram est lié au vôtre. Demandez-moi par exemple "
            "« mes intégrations fonctionnent-elles ? ». Envoyez /unlink pour le délier."
        ),
        "es": (
            "Hola {name}, esta cuenta de Telegram está vinculada a usted. Pregúnteme, por "
            "ejemplo, «¿funcionan mis integraciones?». Envíe /unlink para desvincularla."
        ),
    },
    "invalid_code": {
        "en": (
            "That link code is not valid: it may have expired or been used already. "
            "Get a new one from your merchant dashboard (“Link Telegram”)."
        ),
        "fr": (
            "Ce code de liaison n'est pas valide : il a peut-être expiré ou déjà servi. "
            "Obtenez-en un nouveau dans votre tableau de bord marchand (« Lier Telegram »)."
        ),
        "es": (
            "Ese código de vinculación no es válido: puede haber caducado o ya se usó. "
            "Obtenga uno nuevo en su panel de comercio («Vincular Telegram»)."
        ),
    },
    "contact_not_yours": {
        "en": "To link this account, share your own phone number, not someone else's contact.",
        "fr": "Pour lier ce compte, partagez votre propre numéro, pas le contact de quelqu'un "
        "d'autre.",
        "es": "Para vincular esta cuenta, comparta su propio número, no el contacto de otra "
        "persona.",
    },
    "unknown_phone": {
        "en": (
            "That phone number is not a verified number of any merchant account. Link with "
            "a code from your merchant dashboard (“Link Telegram”) instead."
        ),
        "fr": (
            "Ce numéro n'est le numéro vérifié d'aucun compte marchand. Liez plutôt votre "
            "compte avec un code de votre tableau de bord marchand (« Lier Telegram »)."
        ),
        "es": (
            "Ese número no es el número verificado de ninguna cuenta de comercio. Vincule su "
            "cuenta con un código de su panel de comercio («Vincular Telegram»)."
        ),
    },
    "unlinked": {
        "en": "Done: this Telegram account is no longer linked. Link it again any time.",
        "fr": "C'est fait : ce compte Telegram n'est plus lié. Vous pouvez le relier à tout "
        "moment.",
        "es": "Hecho: esta cuenta de Telegram ya no está vinculada. Puede volver a vincularla "
        "cuando quiera.",
    },
    "text_only": {
        "en": "I can only read text messages — please type your question.",
        "fr": "Je ne lis que les messages texte — écrivez-moi votre question.",
        "es": "Solo puedo leer mensajes de texto: escriba su pregunta.",
    },
    "private_only": {
        "en": "Please talk to me in a private chat: I don't answer in groups.",
        "fr": "Parlez-moi en conversation privée : je ne réponds pas dans les groupes.",
        "es": "Hábleme en un chat privado: no respondo en grupos.",
    },
    "unavailable": {
        "en": "Sorry, I can't check your account right now — please try again in a minute.",
        "fr": "Désolé, je ne peux pas vérifier votre compte pour le moment — réessayez dans "
        "une minute.",
        "es": "Lo siento, ahora mismo no puedo comprobar su cuenta. Inténtelo de nuevo en un "
        "minuto.",
    },
}


def language_of(code: object) -> str:
    """The profile language for a Telegram ``language_code`` (``fr-CA`` → ``fr``), else en."""
    if isinstance(code, str) and code[:2].lower() in LANGUAGES:
        return code[:2].lower()
    return DEFAULT_LANGUAGE


def text(key: str, language: str | None, **values: str) -> str:
    """The text ``key`` in ``language`` (English for other languages), filled with ``values``.

    Args:
        key: which text.
        language: ``en``, ``fr`` or ``es`` (anything else reads English).
        values: the placeholders of the text (``name``; ``share`` is filled in here).
    """
    variants = _TEXTS[key]
    lang = language_of(language)
    template = variants.get(lang, variants[DEFAULT_LANGUAGE])
    if "{share}" in template:
        values = {"share": _TEXTS["share_contact"][lang], **values}
    return template.format(**values) if values else template
