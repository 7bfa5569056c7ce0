"""Generate the git-ignored .env with fresh secrets on first run; never overwrite."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from bot.config import ROOT

SECRET_NAMES = (
    "RASA_TOKEN",
    "IDENTITY_SECRET",
    "SESSION_SECRET",
    "INTERNAL_TOKEN",
    "CREDENTIALS_KEY",
    "TELEGRAM_WEBHOOK_SECRET",
)


def new_secret(name: str) -> str:
    """A fresh value for one secret (a Fernet key for ``CREDENTIALS_KEY``)."""
    if name == "CREDENTIALS_KEY":
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(32)


def ensure_env_file(path: Path = ROOT / ".env") -> list[str]:
    """Add any missing secret to ``path``; return the names that were added."""
    existing = path.read_text() if path.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in existing.splitlines() if "=" in line}
    added = [name for name in SECRET_NAMES if name not in present]
    if added:
        lines = [f"{name}={new_secret(name)}" for name in added]
        sep = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + sep + "\n".join(lines) + "\n")
        path.chmod(0o600)
    return added


if __name__ == "__main__":
    names = ensure_env_file()
    print(f"generated {', '.join(names)} into .env" if names else ".env already has every secret")
