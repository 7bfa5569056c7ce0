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
from datetime import datetime, timezone
from typing import Any

import httpx

from bot.platform_client import PlatformClient
from tests.unit.standin_demo import (
    ASKS_CODE,
    BASE_URL,
    DEMO_BROKEN,
    DEMO_WORKING,
    HARBOR,
    HARBOR_BROKEN,
    LOCATIONS,
    PAIRING_STATES,
    PAIRING_TTL,
    PORTAL_SUMMARY,
    PROBLEMS,
    PROVIDERS,
    RECONNECT_SUMMARY,
    REPAIR_PATH,
    STEPS,
    UBER_STEPS,
    USERS,
)


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
