"""Rendering the OTO setup page's HTML with the pairing page's look and security headers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.platform.one_time_page import SECURITY_HEADERS
from bot.platform.oto_page.texts import OtoPageTexts
from bot.platform.pairing_page.rendering import TEMPLATES_DIR as PAIRING_TEMPLATES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # The page's own templates first; "base.html" (layout and style) is the pairing page's.
    return Environment(
        loader=FileSystemLoader([TEMPLATES_DIR, PAIRING_TEMPLATES]),
        autoescape=select_autoescape(["html"]),
    )


def render(template: str, lang: str | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """An HTML response of ``template`` in ``lang`` with the page's security headers."""
    html = _environment().get_template(template).render(t=OtoPageTexts(lang), **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def result_page(outcome: str, lang: str | None, status_code: int = 200) -> HTMLResponse:
    """A result page (``#result[data-outcome]``): saved, invalid, provider_error or gone."""
    texts = OtoPageTexts(lang)
    heading = texts(f"{outcome}_title")
    return render("oto_result.html", lang, status_code, outcome=outcome, heading=heading)


def gone_page(lang: str | None) -> HTMLResponse:
    """The one "expired or already used" page (HTTP 410)."""
    return result_page("gone", lang, 410)
