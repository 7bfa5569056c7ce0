"""Looking up users and who in an organization may do what."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from bot.platform.models import Organization, User


def get_user(session: Session, user_id: int) -> User | None:
    """The user with id ``user_id`` (organization loaded), if any."""
    return session.get(User, user_id, options=[joinedload(User.organization)])


def get_user_by_email(session: Session, email: str) -> User | None:
    """The user whose e-mail is ``email`` (case and surrounding spaces ignored), if any."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    statement = select(User).options(joinedload(User.organization)).where(User.email == wanted)
    return session.scalar(statement)


def list_users(session: Session) -> Sequence[User]:
    """Every user of every organization, by organization then name (for the demo page)."""
    statement = (
        select(User)
        .join(User.organization)
        .options(joinedload(User.organization))
        .order_by(Organization.name, User.name, User.id)
    )
    return session.scalars(statement).all()


def users_allowed(
    session: Session, organization_id: int, permission: InstrumentedAttribute[bool]
) -> list[str]:
    """Names of the organization's users whose ``permission`` flag (a boolean column of
    :class:`User`, e.g. ``User.can_cancel_orders``) is set, sorted."""
    statement = (
        select(User.name)
        .where(User.organization_id == organization_id, permission.is_(True))
        .order_by(User.name)
    )
    return list(session.scalars(statement).all())


def integration_managers(session: Session, organization_id: int) -> list[str]:
    """Names of the organization's users who may manage integrations, sorted."""
    return users_allowed(session, organization_id, User.can_manage_integrations)
