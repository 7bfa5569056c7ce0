"""Rendering the pairing page's HTML with the headers every page of it carries."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.platform.one_time_page import SECURITY_HEADERS
from bot.platform.pairing_page.texts import PageTexts

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render(template: str, lang: str | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """An HTML response of ``template`` in ``lang`` with the page's security headers.

    Args:
        template: The template's file name (e.g. ``"credentials.html"``).
        lang: The pairing's language.
        status_code: The HTTP status.
        **context: The template's variables.
    """
    html = _environment().get_template(template).render(t=PageTexts(lang), **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def result_page(
    outcome: str, lang: str | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A result page (``#result[data-outcome]``) for ``outcome``."""
    texts = PageTexts(lang)
    page = context.get("page")
    provider = page.provider if page is not None else ""
    heading = texts(f"{outcome}_title", provider=provider)
    return render("result.html", lang, status_code, outcome=outcome, heading=heading, **context)


def gone_page(lang: str | None) -> HTMLResponse:
    """The one "expired or already used" page (HTTP 410)."""
    return result_page("gone", lang, 410, page=None)


def format_until(until: datetime | None) -> str:
    """A lock's end as people read it: ``HH:MM UTC``."""
    return until.strftime("%H:%M UTC") if until else ""
