"""The message catalog: every text the bot sends, in English, French and Spanish.

Templates live in ``actions/i18n/<lang>.yml`` and in one fragment per feature,
``actions/i18n/<lang>/<feature>.yml``, as nested mappings of Jinja2 templates; a key is
the dotted path to a template (``status.header``). The three languages hold the same
keys, and no key is defined twice. Files are read once, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
CATALOG_DIR = Path(__file__).resolve().parent / "i18n"


def normalize_language(code: str | None) -> str | None:
    """``"fr-CA"`` → ``"fr"``; ``None`` for anything the catalog does not hold."""
    if not code:
        return None
    short = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return short if short in LANGUAGES else None


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = str(value)
    return flat


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def catalog_files(lang: str) -> list[Path]:
    """The files of one language: ``<lang>.yml``, then each feature's fragment."""
    return [CATALOG_DIR / f"{lang}.yml", *sorted((CATALOG_DIR / lang).glob("*.yml"))]


def sources(lang: str) -> dict[str, str]:
    """Every template source of one language, by key.

    Raises:
        KeyError: ``lang`` has no catalog, or two files define the same key.
    """
    if lang not in LANGUAGES:
        raise KeyError(f"no catalog for language {lang!r}")
    flat: dict[str, str] = {}
    for path in catalog_files(lang):
        entries = _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        twice = sorted(set(entries) & set(flat))
        if twice:
            raise KeyError(f"{lang}/{path.name} defines keys already defined: {twice[:5]}")
        flat.update(entries)
    return flat


@lru_cache(maxsize=len(LANGUAGES))
def templates(lang: str) -> dict[str, Template]:
    """Every compiled template of one language, by key."""
    env = _environment()
    return {key: env.from_string(source) for key, source in sources(lang).items()}


def render(lang: str, key: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (English if ``lang`` is not in the catalog)."""
    table = templates(normalize_language(lang) or DEFAULT_LANGUAGE)
    return table[key].render(**values).strip()


def join_names(lang: str, names: list[str], conjunction: str = "or") -> str:
    """``["A", "B", "C"]`` → ``"A, B or C"`` in ``lang`` (``conjunction``: "or" or "and")."""
    names = [name for name in names if name]
    if len(names) < 2:
        return "".join(names)
    return render(lang, f"list.{conjunction}", head=", ".join(names[:-1]), last=names[-1])
