"""The texts of live alerts: SMS, single- and multi-store e-mails, the POS ticket.

Jinja2 templates under ``bot/notify/templates/`` in the recipient's language (the frame
words in :mod:`bot.notify.alert_strings`; what broke and how to fix it from the provider
catalog). Each says what broke, which stores (location / brand) and how to fix it: the
repair link ``<DASHBOARD_URL>/?repair=<account>``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from bot.notify.alert_strings import strings_for
from bot.platform.models import Incident
from bot.platform.providers.catalog import get_catalog

TEMPLATES = Path(__file__).parent / "templates"
TICKET_WIDTH = 42


@dataclass(frozen=True)
class BrokenStore:
    """One incident as the texts show it."""

    provider: str
    place: str  # "Downtown / Burger Barn"
    problem: str
    fix: str
    link: str


@dataclass(frozen=True)
class Email:
    """A rendered e-mail."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def repair_link(dashboard_url: str, account_id: str) -> str:
    """The dashboard link that opens the repair of ``account_id``."""
    return f"{dashboard_url.rstrip('/')}/?repair={quote(account_id, safe='')}"


def broken_store(
    session: Session, incident: Incident, language: str, dashboard_url: str
) -> BrokenStore:
    """What ``incident`` is, in ``language`` (provider, location / brand, problem, fix, link)."""
    catalog = get_catalog()
    info = catalog.provider(incident.provider)
    name = info.name if info is not None else incident.provider
    link = incident.link
    place = f"{link.store.location.name} / {link.store.brand.name}"
    guide = catalog.guide(incident.provider, incident.error_case) if incident.error_case else None
    error = catalog.error_types.get(incident.error_type)
    if guide is not None:
        problem = guide.problem.get(language, provider=name)
    elif error is not None:
        problem = error.problem.get(language, provider=name)
    else:
        problem = incident.error_type
    fix = error.summary.get(language, provider=name) if error is not None else ""
    return BrokenStore(
        provider=name,
        place=place,
        problem=problem.rstrip(". "),
        fix=fix,
        link=repair_link(dashboard_url, link.account_id),
    )


def render_sms(language: str, store: BrokenStore) -> str:
    """The SMS: what broke, where, the link and "reply FIX"."""
    t = strings_for(language)
    return _env().get_template("sms.txt").render(t=t, s=store, lang=language).strip()


def render_email(language: str, stores: list[BrokenStore], unsubscribe_url: str) -> Email:
    """The single-store e-mail for one store, the multi-store e-mail for several."""
    if not stores:
        raise ValueError("an alert e-mail needs at least one store")
    t = strings_for(language)
    kind = "single" if len(stores) == 1 else "multi"
    fields = {"t": t, "s": stores[0], "stores": stores, "lang": language}
    fields["unsubscribe_url"] = unsubscribe_url
    if kind == "single":
        subject = t["subject_single"].format(provider=stores[0].provider, place=stores[0].place)
    else:
        subject = t["subject_multi"].format(count=len(stores))
    text = _env().get_template(f"email_{kind}.txt").render(**fields)
    html = _env().get_template(f"email_{kind}.html").render(**fields)
    return Email(subject=subject, text=text, html=html)


def render_pos_ticket(language: str, store: BrokenStore, when: datetime) -> str:
    """The storefront-issue ticket: plain text, at most 42 columns a line (ESC/POS)."""
    t = strings_for(language)
    raw = (
        _env()
        .get_template("pos_ticket.txt")
        .render(
            t=t,
            s=store,
            lang=language,
            width=TICKET_WIDTH,
            rule="-" * TICKET_WIDTH,
            when=when.strftime("%Y-%m-%d %H:%M %Z").strip(),
        )
    )
    lines: list[str] = []
    for line in raw.splitlines():
        lines.extend(textwrap.wrap(line, TICKET_WIDTH, break_on_hyphens=False) or [""])
    return "\n".join(line.rstrip() for line in lines) + "\n"
