"""``make break PROVIDER=<name> LOCATION=<name> ERROR=<error type> [BRAND=<name>]``:
disconnect a working store link of the running platform, as a provider would (SANDBOX).

Calls ``POST /internal/sandbox/break`` on the platform (``PLATFORM_URL``) with the
internal token; the platform must run with ``SANDBOX_CONTROLS`` on (``make run`` does in
demo mode). The live alerts go out after the damping window unless the link comes back.
Example: ``make break PROVIDER="Just Eat" LOCATION=Downtown ERROR=invalid_credentials``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx

from bot.config import Settings, get_settings
from bot.platform.providers.catalog import get_catalog

ERROR_ALIASES: dict[str, str] = {
    "credentials": "invalid_credentials",
    "password": "invalid_credentials",
    "2fa": "two_factor_required",
    "two_factor": "two_factor_required",
    "mfa": "mfa_required",
    "blocked": "third_party_blocked",
    "third_party": "third_party_blocked",
    "store_configuration": "invalid_store_configuration",
    "configuration": "invalid_store_configuration",
}
_REFUSALS: dict[str, str] = {
    "unknown_provider": "No provider is called {value!r}.",
    "unknown_location": "No location is called {value!r}.",
    "unknown_brand": "No store of that brand at that location: {value!r}.",
    "no_link": "{value} has no store link there.",
    "not_working": "{value} is already disconnected there: nothing to break.",
    "unknown_error_type": (
        "Unknown error type {value!r}: invalid_credentials, two_factor_required,"
        " mfa_required, third_party_blocked or invalid_store_configuration."
    ),
    "error_case_needs_store_configuration": ("CASE is only for ERROR=invalid_store_configuration."),
    "not_found": "The platform's sandbox controls are off (set SANDBOX_CONTROLS=true).",
}
USAGE = 'Usage: make break PROVIDER="Just Eat" LOCATION=Downtown ERROR=invalid_credentials'


def error_type(text: str) -> str:
    """``text`` as an error type: ``"invalid credentials"`` → ``invalid_credentials``."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    return ERROR_ALIASES.get(key, key)


def main(
    argv: list[str] | None = None,
    settings: Settings | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Ask the running platform to break the link and print what happened.

    Args:
        argv: The command-line arguments (``sys.argv[1:]`` by default).
        settings: The settings (platform URL, internal token); the process settings by
            default.
        transport: How to reach the platform (the network by default; tests pass one).

    Returns:
        0 when a link was broken, 2 for bad input, 1 when the platform cannot be reached.
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    for name in ("provider", "location", "error", "brand", "case"):
        parser.add_argument(f"--{name}", default="")
    args = parser.parse_args(argv)
    if not (args.provider.strip() and args.location.strip() and args.error.strip()):
        print(f"Say which link to break and how. {USAGE}", file=sys.stderr)
        return 2
    settings = settings or get_settings()
    body: dict[str, Any] = {
        "provider": args.provider.strip(),
        "location": args.location.strip(),
        "brand": args.brand.strip() or None,
        "error_type": error_type(args.error),
        "error_case": args.case.strip() or None,
    }
    base = settings.effective_platform_url()
    token = settings.internal_token.get_secret_value()
    try:
        with httpx.Client(base_url=base, transport=transport, timeout=10) as client:
            response = client.post(
                "/internal/sandbox/break", json=body, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.TransportError:
        print(f"The platform is not running at {base} (start it with `make run`).", file=sys.stderr)
        return 1
    return _report(response)


def _report(response: httpx.Response) -> int:
    if response.status_code == 200:
        for incident in response.json()["incidents"]:
            info = get_catalog().provider(incident["provider"])
            provider = info.name if info else incident["provider"]
            print(
                f"{incident['location']} / {incident['brand']}: {provider} is now"
                f" disconnected ({incident['error_type']}). Alerts are due at"
                f" {incident['alert_at']} unless it comes back before."
            )
        return 0
    if response.status_code == 401:
        print("The platform refused the internal token (check INTERNAL_TOKEN).", file=sys.stderr)
        return 1
    try:
        detail = response.json().get("detail") or {}
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {"code": "bad_request"}
    code = str(detail.get("code") or response.status_code)
    template = _REFUSALS.get(code, "The platform refused it ({code}). " + USAGE)
    print(template.format(value=detail.get("value"), code=code), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
