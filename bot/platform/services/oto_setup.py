"""OTO setup through a one-time page: the retailer ID and token never go through the chat.

A user who may manage integrations asks for a link (bound to them and to the
conversation it was asked from; the link's token is kept only as a SHA-256 digest, and
a new link replaces the organization's earlier live ones). The page is used once: the
pair typed there is checked with the OTO adapter; a valid pair is saved (the token only
encrypted), an invalid one is forgotten and nothing changes. Each step is audit-logged
as ``oto.setup`` (never the retailer ID or the token) and committed here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.identity import Identity
from bot.platform.languages import normalize_language
from bot.platform.models import Organization, User, utcnow
from bot.platform.models.oto import OtoSetupSession
from bot.platform.providers.oto_sandbox import OtoAdapter, oto_adapter
from bot.platform.secrets_box import SecretsBox, new_token, sha256_hex
from bot.platform.services.audit import record_audit
from bot.platform.services.oto_errors import NoSetup
from bot.platform.services.oto_settings import ensure_integration
from bot.platform.services.repair_accounts import require_manager

PAGE_PATH = "/oto-setup"
"""Where the platform serves the page (``{PAGE_PATH}/{token}``)."""


@dataclass(frozen=True)
class SetupView:
    """Where an OTO setup link stands (no secrets)."""

    setup_id: str
    state: str  # open | succeeded | failed | expired
    outcome: str  # started | saved | invalid | provider_error | expired | superseded
    expires_at: datetime


@dataclass(frozen=True)
class StartedSetup:
    """A new setup link (the only place its token exists)."""

    view: SetupView
    url: str


@dataclass(frozen=True)
class SetupPage:
    """What the page shows: its language and the organization's name."""

    language: str
    organization: str


@dataclass(frozen=True)
class SubmitResult:
    """The page's step: ``gone`` (nothing changed), ``saved``, ``invalid`` or ``provider_error``.

    ``notify`` is where to tell the gateway the conversation can go on:
    ``(conversation_id, user_id, channel)``, or ``None``.
    """

    outcome: str
    page: SetupPage | None = None
    notify: tuple[str, int, str] | None = None


def start_setup(
    session: Session,
    settings: Settings,
    user: User,
    identity: Identity | None,
    lang: str | None,
    *,
    now: datetime | None = None,
) -> StartedSetup:
    """Create a one-time OTO setup link, replacing the organization's earlier live ones.

    Raises:
        NotAllowed: The caller may not manage integrations (``who_can`` names who may).
    """
    require_manager(session, user)
    now = now or utcnow()
    superseded = _supersede(session, user.organization_id, now)
    token = new_token()
    setup = OtoSetupSession(
        id=uuid.uuid4().hex,
        token_hash=sha256_hex(token),
        organization_id=user.organization_id,
        user_id=user.id,
        conversation_id=(identity.conversation_id or None) if identity else None,
        channel=(identity.channel or None) if identity else None,
        language=normalize_language(lang or user.language),
        state="open",
        outcome="started",
        created_at=now,
        expires_at=now + timedelta(seconds=settings.pairing_ttl_seconds),
    )
    session.add(setup)
    session.flush()
    _audit(session, setup, "link_sent", superseded=superseded)
    session.commit()
    url = f"{settings.effective_platform_public_url()}{PAGE_PATH}/{token}"
    return StartedSetup(view=setup_view(setup, now), url=url)


def current_setup(
    session: Session, user: User, conversation_id: str | None, *, now: datetime | None = None
) -> SetupView:
    """The newest setup link the caller asked for from this conversation.

    Raises:
        NoSetup: There is none.
    """
    statement = (
        select(OtoSetupSession)
        .where(
            OtoSetupSession.user_id == user.id,
            OtoSetupSession.conversation_id == (conversation_id or None),
        )
        .order_by(OtoSetupSession.created_at.desc())
        .limit(1)
    )
    setup = session.scalars(statement).first()
    if setup is None or setup.organization_id != user.organization_id:
        raise NoSetup()
    return setup_view(setup, now or utcnow())


def setup_view(setup: OtoSetupSession, now: datetime) -> SetupView:
    """The link's state; an open one past its expiry reads as ``expired``."""
    state, outcome = setup.state, setup.outcome
    if state == "open" and now >= setup.expires_at:
        state, outcome = "expired", "expired"
    return SetupView(setup.id, state, outcome, setup.expires_at)


def page_for(session: Session, token: str, *, now: datetime | None = None) -> SetupPage | None:
    """What the form shows for a live, unused link; ``None`` otherwise (nothing changes)."""
    setup = _find(session, token)
    if setup is None or setup_view(setup, now or utcnow()).state != "open":
        return None
    return _page(session, setup)


def token_language(session: Session, token: str) -> str | None:
    """The language of the link a token names, whatever its state (for the gone page)."""
    setup = _find(session, token)
    return setup.language if setup else None


def submit_credentials(
    session: Session,
    settings: Settings,
    token: str,
    retailer_id: str,
    oto_token: str,
    *,
    adapter: OtoAdapter | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """The page's step: check the pair with OTO; save it when valid. The link is used up.

    Args:
        session: An open session (committed here).
        settings: The credentials key.
        token: The link token from the page's URL.
        retailer_id: The retailer ID typed on the page.
        oto_token: The OTO token typed on the page (kept only encrypted, when valid).
        adapter: The OTO adapter (the sandbox by default).
        now: The current time (tests).
    """
    now = now or utcnow()
    setup = _find(session, token)
    if setup is None:
        return SubmitResult("gone")
    # Claim the link: of two concurrent submissions, one goes on, the other sees "gone".
    claimed = session.execute(
        update(OtoSetupSession)
        .where(
            OtoSetupSession.id == setup.id,
            OtoSetupSession.state == "open",
            OtoSetupSession.expires_at > now,
        )
        .values(state="failed", outcome="provider_error", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:
        return SubmitResult("gone")
    session.refresh(setup)
    page = _page(session, setup)
    box = SecretsBox(settings.credentials_key)
    check = (adapter or oto_adapter()).verify_credentials(retailer_id.strip(), oto_token)
    if check.valid:
        integration = ensure_integration(session, setup.organization_id)
        integration.retailer_id = retailer_id.strip()
        integration.token_secret = box.encrypt(oto_token)
        integration.updated_by, integration.updated_at = setup.user_id, now
        setup.state, setup.outcome = "succeeded", "saved"
    elif check.verdict == "invalid":
        setup.outcome = "invalid"
    _audit(session, setup, setup.outcome)
    session.commit()
    notify = None
    if setup.conversation_id:
        channel = setup.channel or setup.conversation_id.split(":", 1)[0]
        notify = (setup.conversation_id, setup.user_id, channel)
    return SubmitResult(setup.outcome, page, notify)


def _find(session: Session, token: str) -> OtoSetupSession | None:
    if not token or len(token) > 200:
        return None
    statement = select(OtoSetupSession).where(OtoSetupSession.token_hash == sha256_hex(token))
    return session.scalars(statement).first()


def _page(session: Session, setup: OtoSetupSession) -> SetupPage:
    organization = session.get(Organization, setup.organization_id)
    return SetupPage(setup.language, organization.name if organization else "")


def _supersede(session: Session, organization_id: int, now: datetime) -> list[str]:
    live = session.scalars(
        select(OtoSetupSession)
        .where(
            OtoSetupSession.organization_id == organization_id,
            OtoSetupSession.state == "open",
        )
        .with_for_update()
    ).all()
    for setup in live:
        outcome = "expired" if now >= setup.expires_at else "superseded"
        setup.state, setup.outcome, setup.finished_at = "expired", outcome, now
    session.flush()
    return [setup.id for setup in live]


def _audit(session: Session, setup: OtoSetupSession, result: str, **detail: object) -> None:
    """``oto.setup`` with the link's id and what happened (never the retailer ID or token)."""
    record_audit(
        session,
        organization_id=setup.organization_id,
        user_id=setup.user_id,
        action="oto.setup",
        detail={"setup_id": setup.id, "result": result, **detail},
    )
