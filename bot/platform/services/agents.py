"""Support agents: checking a console login (argon2id), and who is online (marked online
and seen within the presence window).

An unknown e-mail costs the same argon2 verification as a wrong password (against a
fixed hash of a random string) and gets the same answer, so the login does not tell
which e-mails are agents'.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.platform.models import Agent, utcnow

_HASHER = PasswordHasher()
# The hash of a random string nobody knows, with the hasher's default parameters:
# verified when the e-mail is unknown, so both refusals take as long.
_UNKNOWN_EMAIL_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$1EiLeH45zTcneP93Dc4U4Q"
    "$3BoEwcyd+F0Fb8xLxK3D9toxqIddBqHX/sVuZ2Oh14A"
)
MAX_PASSWORD_CHARS = 1024


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with a random salt)."""
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_login(
    session: Session, email: str, password: str, *, now: datetime | None = None
) -> Agent | None:
    """The agent whose e-mail and password these are, or ``None`` (one answer for an
    unknown e-mail and a wrong password). A match records ``last_seen_at`` and commits."""
    agent = get_agent_by_email(session, email)
    password = password[:MAX_PASSWORD_CHARS]
    matches = password_matches(agent.password_hash if agent else _UNKNOWN_EMAIL_HASH, password)
    if agent is None or not matches:
        return None
    if _HASHER.check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    agent.last_seen_at = now or utcnow()
    session.commit()
    return agent


def get_agent(session: Session, agent_id: int) -> Agent | None:
    """The agent with id ``agent_id``, if any."""
    return session.get(Agent, agent_id)


def get_agent_by_email(session: Session, email: str) -> Agent | None:
    """The agent whose e-mail is ``email`` (case and surrounding spaces ignored), if any."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    return session.scalar(select(Agent).where(Agent.email == wanted))


def set_online(
    session: Session, agent_id: int, online: bool, *, now: datetime | None = None
) -> Agent | None:
    """Mark the agent online or offline (and seen now) and commit; ``None`` when unknown."""
    agent = get_agent(session, agent_id)
    if agent is None:
        return None
    agent.online = online
    agent.last_seen_at = now or utcnow()
    session.commit()
    return agent


def agents_online(session: Session, *, within_seconds: int, now: datetime | None = None) -> int:
    """How many agents are online: marked online and seen in the last ``within_seconds``.

    An open console marks its agent online again every few seconds (the heartbeat), so a
    console closed without logging out stops counting once the window has passed.
    """
    seen_since = (now or utcnow()) - timedelta(seconds=within_seconds)
    statement = select(func.count()).where(
        Agent.online.is_(True), Agent.last_seen_at.is_not(None), Agent.last_seen_at >= seen_since
    )
    return int(session.scalar(statement) or 0)
