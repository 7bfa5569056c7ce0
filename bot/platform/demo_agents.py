"""DEMO.md's support agents (the console), loaded by the demo and put back by its restore.

The argon2id hashes are of the demo passwords DEMO.md lists (``agent-demo-1``,
``agent-demo-2``), made once with ``argon2-cffi``'s default parameters: hashing takes a
noticeable fraction of a second, and every test loads the demo.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.platform.models import Agent

# (name, e-mail, argon2id hash of the demo password)
AGENTS: tuple[tuple[str, str, str], ...] = (
    (
        "Sam Support",
        "sam@support.test",
        "$argon2id$v=19$m=65536,t=3,p=4$osg714t0sOJSIH2kwnR4sA"
        "$y0xRqykanun4iFl/7+owIDGqxijGyE+e1rfBZSkDcA0",
    ),
    (
        "Ana Agent",
        "ana@support.test",
        "$argon2id$v=19$m=65536,t=3,p=4$A3fJ2xU34HT5VyimTLescQ"
        "$epwBlr1TjFRQmuVElO9EBlRDbEixsU0+TnEpnpwhAZ8",
    ),
)


def put_agents(session: Session) -> int:
    """Add the demo agents, or give them back their name and demo password; every agent
    goes offline. Not committed; returns how many demo agents there are."""
    session.execute(update(Agent).values(online=False, last_seen_at=None))
    present = {agent.email: agent for agent in session.scalars(select(Agent))}
    for name, email, password_hash in AGENTS:
        agent = present.get(email)
        if agent is None:
            session.add(Agent(name=name, email=email, password_hash=password_hash, online=False))
        else:
            agent.name, agent.password_hash = name, password_hash
    session.flush()
    return len(AGENTS)
