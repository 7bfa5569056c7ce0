"""The languages the platform answers in, and how a requested language is normalised."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"


def normalize_language(value: str | None) -> str:
    """The supported language closest to ``value``, falling back to English.

    Args:
        value: A language tag such as ``"fr"``, ``"es-MX"`` or ``"FR_ca"``; may be empty.

    Returns:
        One of :data:`LANGUAGES`.
    """
    if not value:
        return DEFAULT_LANGUAGE
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE
