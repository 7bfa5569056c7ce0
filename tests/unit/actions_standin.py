"""A local stand-in for the platform API, served through ``httpx.MockTransport``.

It answers the contract the actions code against (``/api/v1/me``,
``/api/v1/providers``, ``/api/v1/integrations/status``) with the demo data of
DEMO.md, so the actions' tests cross the same HTTP boundary as in production.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from rasa_sdk import Tracker

from bot.platform_client import PlatformClient

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


class PlatformStandIn:
    """Serves the contract JSON; records every request it answered."""

    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.requests: list[httpx.Request] = []

    def client(self) -> PlatformClient:
        """A PlatformClient whose HTTP calls this stand-in answers."""
        return PlatformClient(BASE_URL, transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request the way the platform API would."""
        self.requests.append(request)
        if not self.available:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path == "/api/v1/providers":
            return httpx.Response(200, json=PROVIDERS)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = USERS.get(token)
        if user is None:
            return httpx.Response(401, json={"detail": {"code": "unauthorized"}})
        if path == "/api/v1/me":
            return httpx.Response(200, json=user)
        if path == "/api/v1/integrations/status":
            return self._status(user, dict(request.url.params))
        return httpx.Response(404, json={"detail": {"code": "not_found"}})

    def status_calls(self) -> list[dict[str, str]]:
        """The query parameters of every status request."""
        return [dict(r.url.params) for r in self.requests if r.url.path.endswith("/status")]

    def _status(self, user: dict[str, Any], params: dict[str, str]) -> httpx.Response:
        lang = params.get("lang", "en")
        organization = user["organization"]["name"]
        harbor = organization == HARBOR[1]
        provider, location = params.get("provider"), params.get("location")
        if provider:
            entry = _provider(provider)
            if entry is None:
                return _error("unknown_provider", provider, [p["name"] for p in PROVIDERS])
            provider = entry["key"]
        if location:
            known = LOCATIONS[organization]
            match = next((loc for loc in known if loc.lower() == location.lower()), None)
            if match is None:
                return _error("unknown_location", location, known)
            location = match

        def keep(key: str, stores: list[tuple[str, str]]) -> bool:
            if provider and key != provider:
                return False
            return not location or any(loc.lower() == location.lower() for loc, _ in stores)

        broken = [
            self._broken(user, lang, row)
            for row in (HARBOR_BROKEN if harbor else DEMO_BROKEN)
            if keep(row[1], row[5])
        ]
        working = [
            {
                "account_id": aid,
                "provider": name,
                "label": label,
                "state": state,
                "stores": _stores(stores),
            }
            for aid, key, name, label, state, stores in ([] if harbor else DEMO_WORKING)
            if keep(key, stores)
        ]
        body = {
            "organization": organization,
            "filters": {
                "provider": _provider(provider)["name"] if provider else None,
                "location": location,
            },
            "broken": broken,
            "working": working,
        }
        return httpx.Response(200, json=body)

    @staticmethod
    def _broken(user: dict[str, Any], lang: str, row: tuple) -> dict[str, Any]:
        aid, _key, name, label, error, stores, portal, stale = row
        allowed = bool(user["permissions"]["manage_integrations"])
        owners = [] if allowed else ["Olivia Owner"]
        if portal:
            step = {
                "kind": "portal_steps",
                "summary": PORTAL_SUMMARY[lang],
                "allowed": True,
                "check_allowed": allowed,
                "who_can": owners,
                "steps": STEPS[lang],
                "contact": "Deliveroo partner support (Restaurant Hub)",
                "guide_last_verified": "2024-01-15" if stale else "2025-10-01",
                "guide_stale": stale,
            }
        else:
            step = {
                "kind": "reconnect",
                "summary": RECONNECT_SUMMARY[lang],
                "allowed": allowed,
                "who_can": owners,
                "steps": [],
                "contact": None,
                "guide_last_verified": None,
                "guide_stale": False,
            }
        return {
            "account_id": aid,
            "provider": name,
            "label": label,
            "error_type": error,
            "error_case": error,
            "problem": PROBLEMS[error][lang],
            "since": "2025-11-20T09:30:00Z",
            "stores": _stores(stores),
            "next_step": step,
        }


def _stores(stores: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"location": loc, "brand": brand} for loc, brand in stores]


def _provider(value: str) -> dict[str, Any] | None:
    wanted = value.replace(" ", "").lower()
    for entry in PROVIDERS:
        names = [entry["key"], entry["name"], *entry["aliases"]]
        if any(name.replace(" ", "").lower() == wanted for name in names):
            return entry
    return None


def _error(code: str, value: str, valid: list[str]) -> httpx.Response:
    return httpx.Response(422, json={"detail": {"code": code, "value": value, "valid": valid}})


def tracker(
    text: str,
    intent: str,
    token: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A rasa-sdk tracker whose latest message is ``text``, sent with identity ``token``."""
    metadata: dict[str, Any] = {"channel": "webchat"}
    if token:
        metadata["identity"] = token
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": metadata,
    }
    return Tracker(
        "conv-1",
        slots or {},
        message,
        [{"event": "user", "text": text}],
        False,
        None,
        {},
        "action_listen",
    )


def entity(name: str, value: str, text: str) -> dict[str, Any]:
    """An NLU entity for ``value`` found in ``text``."""
    start = text.find(value)
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


def payload_json(button: dict[str, str]) -> dict[str, Any]:
    """The entities of a ``/intent{...}`` button payload."""
    payload = button["payload"]
    return json.loads(payload[payload.index("{") :])
