"""DEMO.md's data as the platform stand-in (:mod:`tests.unit.actions_standin`) answers
it: users, locations, providers, problems and the broken / working accounts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

BASE_URL = "http://platform.test"


def _user(uid: int, name: str, language: str, org: tuple[int, str], manage: bool) -> dict:
    domain = "harbor-pizza.test" if org[0] == 2 else "demo-kitchen.test"
    email = f"{name.split()[0].lower()}@{domain}"
    return {
        "id": uid,
        "name": name,
        "email": email,
        "language": language,
        "organization": {"id": org[0], "name": org[1]},
        "permissions": {"manage_integrations": manage, "cancel_orders": manage},
    }


DEMO = (1, "Demo Kitchen Group")
HARBOR = (2, "Harbor Pizza")
USERS: dict[str, dict[str, Any]] = {
    "tok-olivia": _user(1, "Olivia Owner", "en", DEMO, True),
    "tok-marc": _user(2, "Marc Manager", "fr", DEMO, False),
    "tok-sofia": _user(3, "Sofia Staff", "es", DEMO, False),
    "tok-hank": _user(9, "Hank Harbor", "en", HARBOR, True),
}
LOCATIONS = {DEMO[1]: ["Airport", "Downtown", "Riverside"], HARBOR[1]: ["Harbor"]}

PROVIDERS = [
    {"key": "ubereats", "name": "Uber Eats", "aliases": ["UberEats", "Uber"]},
    {"key": "doordash", "name": "DoorDash", "aliases": ["Door Dash"]},
    {"key": "grubhub", "name": "Grubhub", "aliases": ["GrubHub", "Grub Hub"]},
    {"key": "deliveroo", "name": "Deliveroo", "aliases": []},
    {"key": "justeat", "name": "Just Eat", "aliases": ["JustEat"]},
    {"key": "glovo", "name": "Glovo", "aliases": []},
    {"key": "skipthedishes", "name": "SkipTheDishes", "aliases": ["Skip", "Skip The Dishes"]},
]

PROBLEMS = {
    "invalid_credentials": {
        "en": "the saved login no longer works (invalid credentials).",
        "fr": "les identifiants enregistrés ne fonctionnent plus.",
        "es": "las credenciales guardadas ya no funcionan.",
    },
    "2fa_required": {
        "en": "the provider asks for a two-factor code to sign in.",
        "fr": "le service demande un code de double authentification.",
        "es": "la plataforma pide un código de verificación en dos pasos.",
    },
    "third_party_blocked": {
        "en": "the provider blocked the sign-in from a third party.",
        "fr": "le service a bloqué la connexion d'un tiers.",
        "es": "la plataforma bloqueó el acceso de terceros.",
    },
    "inactive_restaurant": {
        "en": "Deliveroo has the site marked inactive.",
        "fr": "Deliveroo a marqué le site comme inactif.",
        "es": "Deliveroo tiene el local marcado como inactivo.",
    },
    "non_traditional_login": {
        "en": "the Uber Eats user signs in with a method we cannot use.",
        "fr": "l'utilisateur Uber Eats se connecte avec une méthode inutilisable.",
        "es": "el usuario de Uber Eats inicia sesión con un método que no podemos usar.",
    },
}
RECONNECT_SUMMARY = {
    "en": "Reconnect the account.",
    "fr": "Reconnectez le compte.",
    "es": "Reconecta la cuenta.",
}
PORTAL_SUMMARY = {
    "en": "Fix it in the provider's portal.",
    "fr": "Corrigez-le sur le portail du service.",
    "es": "Corrígelo en el portal de la plataforma.",
}
UBER_STEPS = {
    "en": ["Sign in to Uber Eats Manager.", "Give the user a password login.", "Come back here."],
    "fr": ["Connectez-vous à Uber Eats Manager.", "Donnez un mot de passe.", "Revenez ici."],
    "es": ["Inicie sesión en Uber Eats Manager.", "Dé una contraseña.", "Vuelva aquí."],
}
STEPS = {
    "en": ["Sign in to Restaurant Hub.", "Reopen the site.", "Come back here."],
    "fr": ["Connectez-vous à Restaurant Hub.", "Rouvrez le site.", "Revenez ici."],
    "es": ["Inicia sesión en Restaurant Hub.", "Reabre el local.", "Vuelve aquí."],
}

# (account_id, provider key, provider, label, error, stores, portal, guide_stale)
DEMO_BROKEN = [
    (
        "ue-main",
        "ubereats",
        "Uber Eats",
        "Uber Eats — main",
        "invalid_credentials",
        [("Downtown", "Burger Barn"), ("Airport", "Burger Barn")],
        False,
        False,
    ),
    (
        "dd-main",
        "doordash",
        "DoorDash",
        "DoorDash — main",
        "2fa_required",
        [("Downtown", "Burger Barn"), ("Downtown", "Taco Town")],
        False,
        False,
    ),
    (
        "dr-river",
        "deliveroo",
        "Deliveroo",
        "Deliveroo — Riverside",
        "inactive_restaurant",
        [("Riverside", "Taco Town")],
        True,
        True,
    ),
    (
        "ue-river",
        "ubereats",
        "Uber Eats",
        "Uber Eats — Riverside",
        "non_traditional_login",
        [("Riverside", "Taco Town")],
        True,
        False,
    ),
    (
        "gl-main",
        "glovo",
        "Glovo",
        "Glovo — main",
        "third_party_blocked",
        [("Downtown", "Taco Town")],
        False,
        False,
    ),
]
DEMO_WORKING = [
    (
        "dd-river",
        "doordash",
        "DoorDash",
        "DoorDash — Riverside",
        "connected",
        [("Riverside", "Taco Town")],
    ),
    ("gh-main", "grubhub", "Grubhub", "Grubhub — main", "active", [("Airport", "Burger Barn")]),
    ("je-main", "justeat", "Just Eat", "Just Eat — main", "active", [("Downtown", "Burger Barn")]),
]
HARBOR_BROKEN = [
    (
        "hp-ue",
        "ubereats",
        "Uber Eats",
        "Uber Eats — Harbor",
        "invalid_credentials",
        [("Harbor", "Harbor Pizza")],
        False,
        False,
    ),
]


ASKS_CODE = {"dd-main", "dd-river", "gl-main"}
PAIRING_TTL = timedelta(minutes=10)
# outcome → state, as the platform stores them
PAIRING_STATES = {
    "started": "open",
    "needs_code": "awaiting_code",
    "code_rejected": "awaiting_code",
    "succeeded": "succeeded",
    "new_error": "succeeded",
    "invalid_credentials": "failed",
    "provider_error": "failed",
    "locked": "locked",
    "expired": "expired",
    "superseded": "expired",
}
REPAIR_PATH = re.compile(r"^/api/v1/repair/accounts/([^/]+)/(check|defer|requests)$")
