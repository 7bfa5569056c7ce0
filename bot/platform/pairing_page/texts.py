"""The pairing page's words, in every language the platform speaks."""

from __future__ import annotations

from bot.platform.languages import LANGUAGES, normalize_language

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Reconnect {provider}",
        "intro": "Sign in with the admin e-mail and password of {account} to reconnect it.",
        "stores": "Stores of this account:",
        "email": "{provider} e-mail",
        "password": "{provider} password",
        "submit": "Connect",
        "privacy": (
            "Your password goes only to {provider} through our platform. We keep it encrypted"
            " and it never appears in the chat."
        ),
        "missing": "Please fill in both the e-mail and the password.",
        "code_title": "Enter the verification code",
        "code_intro": (
            "{provider} sent a verification code to the e-mail or phone of the account."
            " Enter it here, or type it in the chat."
        ),
        "code": "Verification code",
        "code_submit": "Verify",
        "code_rejected": "{provider} did not accept that code. Attempts left: {attempts}.",
        "succeeded_title": "Connected",
        "succeeded": "{provider} is connected again. These stores are back online:",
        "new_error_title": "Signed in, but there is another problem",
        "new_error": "You are signed in, but {provider} now reports another problem:",
        "wrong_password_title": "Sign-in refused",
        "wrong_password": (
            "{provider} did not accept this e-mail and password. This link is now used up:"
            " go back to the chat to get a new link."
        ),
        "locked_title": "Reconnecting is locked",
        "locked": (
            "Too many wrong codes: reconnecting this account is locked until {until}."
            " Go back to the chat, where you can contact support."
        ),
        "provider_error_title": "{provider} could not be reached",
        "provider_error": "{provider} did not answer. Go back to the chat and try again later.",
        "gone_title": "This link has expired or was already used",
        "gone": (
            "A reconnection link works only once and only for a few minutes."
            " Go back to the chat and ask for a new link."
        ),
        "back": "You can close this page and go back to the chat.",
        "back_next": "Go back to the chat: I will help you with the next step.",
    },
    "fr": {
        "title": "Reconnecter {provider}",
        "intro": (
            "Connectez-vous avec l'e-mail et le mot de passe administrateur de {account}"
            " pour le reconnecter."
        ),
        "stores": "Magasins de ce compte :",
        "email": "E-mail {provider}",
        "password": "Mot de passe {provider}",
        "submit": "Connecter",
        "privacy": (
            "Votre mot de passe est transmis uniquement à {provider} par notre plateforme."
            " Nous le conservons chiffré et il n'apparaît jamais dans la conversation."
        ),
        "missing": "Veuillez saisir l'e-mail et le mot de passe.",
        "code_title": "Saisissez le code de vérification",
        "code_intro": (
            "{provider} a envoyé un code de vérification à l'e-mail ou au téléphone du compte."
            " Saisissez-le ici, ou tapez-le dans la conversation."
        ),
        "code": "Code de vérification",
        "code_submit": "Vérifier",
        "code_rejected": "{provider} n'a pas accepté ce code. Essais restants : {attempts}.",
        "succeeded_title": "Connecté",
        "succeeded": "{provider} est de nouveau connecté. Ces magasins sont de nouveau en ligne :",
        "new_error_title": "Connecté, mais il reste un problème",
        "new_error": "Vous êtes connecté, mais {provider} signale maintenant un autre problème :",
        "wrong_password_title": "Connexion refusée",
        "wrong_password": (
            "{provider} n'a pas accepté cet e-mail et ce mot de passe. Ce lien est maintenant"
            " utilisé : revenez à la conversation pour obtenir un nouveau lien."
        ),
        "locked_title": "Reconnexion bloquée",
        "locked": (
            "Trop de codes erronés : la reconnexion de ce compte est bloquée jusqu'à {until}."
            " Revenez à la conversation, d'où vous pouvez contacter le support."
        ),
        "provider_error_title": "{provider} est injoignable",
        "provider_error": (
            "{provider} n'a pas répondu. Revenez à la conversation et réessayez plus tard."
        ),
        "gone_title": "Ce lien a expiré ou a déjà été utilisé",
        "gone": (
            "Un lien de reconnexion ne fonctionne qu'une fois et pendant quelques minutes."
            " Revenez à la conversation et demandez un nouveau lien."
        ),
        "back": "Vous pouvez fermer cette page et revenir à la conversation.",
        "back_next": "Revenez à la conversation : je vous aide pour l'étape suivante.",
    },
    "es": {
        "title": "Reconectar {provider}",
        "intro": (
            "Inicie sesión con el correo y la contraseña de administrador de {account}"
            " para volver a conectarla."
        ),
        "stores": "Tiendas de esta cuenta:",
        "email": "Correo de {provider}",
        "password": "Contraseña de {provider}",
        "submit": "Conectar",
        "privacy": (
            "Su contraseña solo se envía a {provider} a través de nuestra plataforma."
            " La guardamos cifrada y nunca aparece en el chat."
        ),
        "missing": "Introduzca el correo y la contraseña.",
        "code_title": "Introduzca el código de verificación",
        "code_intro": (
            "{provider} envió un código de verificación al correo o al teléfono de la cuenta."
            " Introdúzcalo aquí o escríbalo en el chat."
        ),
        "code": "Código de verificación",
        "code_submit": "Verificar",
        "code_rejected": "{provider} no aceptó ese código. Intentos restantes: {attempts}.",
        "succeeded_title": "Conectado",
        "succeeded": "{provider} vuelve a estar conectado. Estas tiendas vuelven a estar en línea:",
        "new_error_title": "Sesión iniciada, pero hay otro problema",
        "new_error": "Ha iniciado sesión, pero {provider} ahora informa de otro problema:",
        "wrong_password_title": "Inicio de sesión rechazado",
        "wrong_password": (
            "{provider} no aceptó este correo y esta contraseña. Este enlace ya se ha usado:"
            " vuelva al chat para obtener un enlace nuevo."
        ),
        "locked_title": "Reconexión bloqueada",
        "locked": (
            "Demasiados códigos incorrectos: la reconexión de esta cuenta está bloqueada hasta"
            " las {until}. Vuelva al chat, desde donde puede contactar con soporte."
        ),
        "provider_error_title": "No se pudo contactar con {provider}",
        "provider_error": "{provider} no respondió. Vuelva al chat e inténtelo más tarde.",
        "gone_title": "Este enlace ha caducado o ya se ha usado",
        "gone": (
            "Un enlace de reconexión solo funciona una vez y durante unos minutos."
            " Vuelva al chat y pida un enlace nuevo."
        ),
        "back": "Puede cerrar esta página y volver al chat.",
        "back_next": "Vuelva al chat: le ayudo con el siguiente paso.",
    },
}

assert set(TEXTS) == set(LANGUAGES)


class PageTexts:
    """The page's words in one language, with fields filled in (``t("title", provider=…)``)."""

    def __init__(self, lang: str | None) -> None:
        """Pick the language (unsupported ones fall back to English)."""
        self.lang = normalize_language(lang)
        self._texts = TEXTS[self.lang]

    def __call__(self, key: str, **fields: object) -> str:
        """The text ``key`` with ``fields`` filled in."""
        return self._texts[key].format(**fields)
