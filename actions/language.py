"""Which language to answer in: the profile's, unless the message clearly is in another.

Detection uses lingua, restricted to the catalog's languages, built once on first use.
Names of providers and locations (the entities) are left out before detecting, because
"DoorDash" or "Downtown" say nothing about the language a merchant writes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from actions.catalog import DEFAULT_LANGUAGE, normalize_language

MIN_WORDS = 3
MIN_CONFIDENCE = 0.7

_LINGUA = {Language.ENGLISH: "en", Language.FRENCH: "fr", Language.SPANISH: "es"}
_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def detect_language(text: str, ignore: Iterable[str] = ()) -> str | None:
    """The language ``text`` is clearly written in, or ``None`` when short or ambiguous.

    Args:
        text: the user's message.
        ignore: substrings (entity values: provider and location names) to leave out.
    """
    if not text or text.lstrip().startswith("/"):
        return None
    for part in ignore:
        if part:
            text = text.replace(part, " ")
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return _LINGUA.get(values[0].language)


def choose_language(text: str, profile_language: str | None, ignore: Iterable[str] = ()) -> str:
    """The reply language: the detected one if clear, else the profile's, else English."""
    return detect_language(text, ignore) or normalize_language(profile_language) or DEFAULT_LANGUAGE
