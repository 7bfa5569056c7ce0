"""The OTO setup page's words, in every language the platform speaks."""

from __future__ import annotations

from bot.platform.languages import LANGUAGES, normalize_language

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Set up OTO",
        "intro": (
            "Enter the Retailer ID and Token OTO gave {organization} for the integration."
            " Without a valid Retailer ID and Token, orders cannot be sent to OTO."
        ),
        "retailer_id": "OTO Retailer ID",
        "token": "OTO Token",
        "submit": "Save",
        "privacy": (
            "Your token goes only to OTO through our platform. We keep it encrypted and it"
            " never appears in the chat."
        ),
        "missing": "Please fill in both the Retailer ID and the Token.",
        "saved_title": "OTO is set up",
        "saved": "OTO accepted the Retailer ID and Token: they are saved.",
        "invalid_title": "Retailer ID or Token not valid",
        "invalid": (
            "OTO did not accept this Retailer ID and Token, so nothing was saved. Check them"
            " with OTO, then go back to the chat to get a new link."
        ),
        "provider_error_title": "OTO could not be reached",
        "provider_error": (
            "OTO did not answer; nothing was saved. Go back to the chat and try again."
        ),
        "gone_title": "This link has expired or was already used",
        "gone": (
            "An OTO setup link works only once and only for a few minutes."
            " Go back to the chat and ask for a new link."
        ),
        "back": "You can close this page and go back to the chat.",
    },
    "fr": {
        "title": "Configurer OTO",
        "intro": (
            "Saisissez le Retailer ID et le jeton qu'OTO a fournis à {organization} pour"
            " l'intégration. Sans Retailer ID ni jeton valides, les commandes ne peuvent pas"
            " être envoyées à OTO."
        ),
        "retailer_id": "Retailer ID OTO",
        "token": "Jeton OTO",
        "submit": "Enregistrer",
        "privacy": (
            "Votre jeton est transmis uniquement à OTO par notre plateforme. Nous le"
            " conservons chiffré et il n'apparaît jamais dans la conversation."
        ),
        "missing": "Veuillez saisir le Retailer ID et le jeton.",
        "saved_title": "OTO est configuré",
        "saved": "OTO a accepté le Retailer ID et le jeton : ils sont enregistrés.",
        "invalid_title": "Retailer ID ou jeton non valide",
        "invalid": (
            "OTO n'a pas accepté ce Retailer ID et ce jeton : rien n'a été enregistré."
            " Vérifiez-les auprès d'OTO, puis revenez à la conversation pour obtenir un"
            " nouveau lien."
        ),
        "provider_error_title": "OTO est injoignable",
        "provider_error": (
            "OTO n'a pas répondu ; rien n'a été enregistré. Revenez à la conversation et réessayez."
        ),
        "gone_title": "Ce lien a expiré ou a déjà été utilisé",
        "gone": (
            "Un lien de configuration OTO ne fonctionne qu'une fois et pendant quelques"
            " minutes. Revenez à la conversation et demandez un nouveau lien."
        ),
        "back": "Vous pouvez fermer cette page et revenir à la conversation.",
    },
    "es": {
        "title": "Configurar OTO",
        "intro": (
            "Introduzca el Retailer ID y el token que OTO dio a {organization} para la"
            " integración. Sin un Retailer ID y un token válidos, los pedidos no se pueden"
            " enviar a OTO."
        ),
        "retailer_id": "Retailer ID de OTO",
        "token": "Token de OTO",
        "submit": "Guardar",
        "privacy": (
            "Su token solo se envía a OTO a través de nuestra plataforma. Lo guardamos"
            " cifrado y nunca aparece en el chat."
        ),
        "missing": "Introduzca el Retailer ID y el token.",
        "saved_title": "OTO está configurado",
        "saved": "OTO aceptó el Retailer ID y el token: están guardados.",
        "invalid_title": "Retailer ID o token no válidos",
        "invalid": (
            "OTO no aceptó este Retailer ID y este token, así que no se guardó nada."
            " Compruébelos con OTO y vuelva al chat para obtener un enlace nuevo."
        ),
        "provider_error_title": "No se pudo contactar con OTO",
        "provider_error": (
            "OTO no respondió; no se guardó nada. Vuelva al chat e inténtelo de nuevo."
        ),
        "gone_title": "Este enlace ha caducado o ya se ha usado",
        "gone": (
            "Un enlace de configuración de OTO solo funciona una vez y durante unos minutos."
            " Vuelva al chat y pida un enlace nuevo."
        ),
        "back": "Puede cerrar esta página y volver al chat.",
    },
}

assert set(TEXTS) == set(LANGUAGES)
assert all(set(words) == set(TEXTS["en"]) for words in TEXTS.values())


class OtoPageTexts:
    """The page's words in one language, with fields filled in (``t("intro", organization=…)``)."""

    def __init__(self, lang: str | None) -> None:
        """Pick the language (unsupported ones fall back to English)."""
        self.lang = normalize_language(lang)
        self._texts = TEXTS[self.lang]

    def __call__(self, key: str, **fields: object) -> str:
        """The text ``key`` with ``fields`` filled in."""
        return self._texts[key].format(**fields)
