"""A local stand-in for the platform API, served through ``httpx.MockTransport``.

It answers the contract the actions code against (``/api/v1/me``,
``/api/v1/providers``, ``/api/v1/integrations/status`` and the ``/api/v1/repair/…``
endpoints of docs/repair-contract.md) with the demo data of DEMO.md, so the actions'
tests cross the same HTTP boundary as in production. Repair state (pairings, locks,
queued check outcomes, repair requests, fixed accounts) lives in the stand-in; a test
moves a pairing along with ``page()`` the way the pairing page would.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
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


class PlatformStandIn:
    """Serves the contract JSON; records every request it answered."""

    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.requests: list[httpx.Request] = []
        self.pairings: dict[int, dict[str, Any]] = {}  # user id → newest pairing
        self.locked_until: dict[str, str] = {}  # account id → ISO time
        self.check_outcomes: dict[str, list[str]] = {}  # account id → queued outcomes
        self.requested_by: dict[str, list[str]] = {}  # account id → names
        self.deferred: list[str] = []
        self.fixed: set[str] = set()

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
        if path == "/api/v1/repair/pairings" and request.method == "POST":
            return self._start_pairing(user, json.loads(request.content or b"{}"))
        if path == "/api/v1/repair/pairings/current":
            pairing = self.pairings.get(user["id"])
            if pairing is None:
                return httpx.Response(404, json={"detail": {"code": "no_pairing"}})
            return httpx.Response(200, json=_public(pairing))
        match = REPAIR_PATH.match(path)
        if match and request.method == "POST":
            return self._account_call(user, match.group(1), match.group(2))
        return httpx.Response(404, json={"detail": {"code": "not_found"}})

    # --- repair (docs/repair-contract.md) ---------------------------------------

    def page(self, token: str, outcome: str, **fields: Any) -> dict[str, Any]:
        """Move the user's current pairing on, as the pairing page (or a code) would.

        Args:
            token: the user's identity token in this stand-in.
            outcome: the pairing's new outcome (``needs_code``, ``succeeded``, …).
            fields: other fields to set (``attempts_left``, ``locked_until``,
                ``new_error``: the error key reported after signing in).
        """
        user = USERS[token]
        pairing = self.pairings[user["id"]]
        new_error = fields.pop("new_error", None)
        pairing.update(outcome=outcome, state=PAIRING_STATES[outcome], **fields)
        if outcome == "succeeded":
            self.fixed.add(pairing["account_id"])
        if new_error:
            row = _row(user, pairing["account_id"])
            assert row is not None
            changed = (*row[:4], new_error, row[5], new_error in PORTAL_ERRORS, False)
            pairing["broken"] = [self._broken(user, pairing["lang"], changed)]
        return pairing

    def repair_calls(self) -> list[tuple[str, str]]:
        """(method, path) of every repair request."""
        return [(r.method, r.url.path) for r in self.requests if "/repair/" in r.url.path]

    def _start_pairing(self, user: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
        account_id = str(body.get("account_id") or "")
        lang = str(body.get("lang") or "en")
        row = _row(user, account_id)
        if row is None:
            return _refused(403, "forbidden")
        if len(row) == 6 or account_id in self.fixed:
            return _refused(409, "not_broken")
        if row[6]:
            return _refused(409, "portal_steps")
        if not user["permissions"]["manage_integrations"]:
            return _refused(403, "not_allowed", who_can=["Olivia Owner"])
        if account_id in self.locked_until:
            return _refused(423, "locked", locked_until=self.locked_until[account_id])
        now = datetime.now(timezone.utc)
        for pairing in self.pairings.values():
            if pairing["account_id"] == account_id and pairing["state"] == "open":
                pairing.update(state="expired", outcome="superseded")
        number = len(self.requests)
        pairing = {
            "pairing_id": f"{number:032x}",
            "account_id": account_id,
            "account": row[3],
            "provider": row[2],
            "state": "open",
            "outcome": "started",
            "asks_code": account_id in ASKS_CODE,
            "attempts_left": 5,
            "locked_until": None,
            "expires_at": (now + PAIRING_TTL).isoformat().replace("+00:00", "Z"),
            "stores": _stores(row[5]),
            "broken": [],
            "lang": lang,
        }
        self.pairings[user["id"]] = pairing
        return httpx.Response(
            201, json={**_public(pairing), "url": f"{BASE_URL}/pair/tok{number:04d}"}
        )

    def _account_call(self, user: dict[str, Any], account_id: str, what: str) -> httpx.Response:
        row = _row(user, account_id)
        if row is None:
            return _refused(403, "forbidden")
        if what == "defer":
            self.deferred.append(account_id)
            return httpx.Response(200, json={"account_id": account_id, "account": row[3]})
        if what == "requests":
            self.requested_by.setdefault(account_id, []).append(user["name"])
            body = {"account_id": account_id, "account": row[3], "notified": ["Olivia Owner"]}
            return httpx.Response(201, json=body)
        if not user["permissions"]["manage_integrations"]:
            return _refused(403, "not_allowed", who_can=["Olivia Owner"])
        if len(row) == 6 or not row[6] or account_id in self.fixed:
            return _refused(409, "not_portal_steps")
        return self._check(user, row)

    def _check(self, user: dict[str, Any], row: tuple) -> httpx.Response:
        """The sandbox's check: a queued outcome, else non-traditional login → sign in again."""
        account_id = row[0]
        queued = self.check_outcomes.get(account_id) or []
        if queued:
            outcome = queued.pop(0)
        else:
            outcome = "new_error" if row[4] == "non_traditional_login" else "resolved"
        body: dict[str, Any] = {
            "outcome": outcome,
            "account_id": account_id,
            "account": row[3],
            "provider": row[2],
            "stores": _stores(row[5]),
            "broken": [],
        }
        if outcome == "not_resolved":
            body["broken"] = [self._broken(user, "en", row)]
        elif outcome == "new_error":
            changed = (*row[:4], "invalid_credentials", row[5], False, False)
            body["broken"] = [self._broken(user, "en", changed)]
        else:
            self.fixed.add(account_id)
        return httpx.Response(200, json=body)

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
            if keep(row[1], row[5]) and row[0] not in self.fixed
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

    def _broken(self, user: dict[str, Any], lang: str, row: tuple) -> dict[str, Any]:
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
                "steps": UBER_STEPS[lang] if name == "Uber Eats" else STEPS[lang],
                "contact": "Uber Eats 1-833-275-3287"
                if name == "Uber Eats"
                else "Deliveroo partner support (Restaurant Hub)",
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
            "requested_by": list(self.requested_by.get(aid, [])),
        }


PORTAL_ERRORS = {"inactive_restaurant", "non_traditional_login"}


def _row(user: dict[str, Any], account_id: str) -> tuple | None:
    """The demo row of an account of the user's organization (broken: 8 fields, else 6)."""
    harbor = user["organization"]["id"] == HARBOR[0]
    rows: list[tuple] = list(HARBOR_BROKEN) if harbor else [*DEMO_BROKEN, *DEMO_WORKING]
    return next((row for row in rows if row[0] == account_id), None)


def _public(pairing: dict[str, Any]) -> dict[str, Any]:
    """A pairing as the API shows it (without the stand-in's own fields)."""
    return {key: value for key, value in pairing.items() if key != "lang"}


def _refused(status: int, code: str, **detail: Any) -> httpx.Response:
    return httpx.Response(status, json={"detail": {"code": code, **detail}})


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


def external_tracker(
    intent: str,
    token: str | None,
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    before: str = "",
) -> Tracker:
    """A tracker whose latest message the gateway triggered (Rasa's trigger-intent API).

    The identity travels as the entity ``identity``; ``before`` is the user's previous
    message.
    """
    values = dict(entities or {})
    if token:
        values["identity"] = token
    message = {
        "text": f"EXTERNAL: {intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in values.items()],
        "metadata": {"is_external": True},
    }
    events = [{"event": "user", "text": before, "metadata": {"identity": token}}] if before else []
    events.append({"event": "user", "text": message["text"], "metadata": message["metadata"]})
    return Tracker("conv-1", slots or {}, message, events, False, None, {}, "action_listen")


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
