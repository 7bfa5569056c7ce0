"""The real platform app in process (httpx.ASGITransport) on a demo database, for the
action tests: a client for the actions, identity tokens, a look into the database, and
running an action for a typed message or a pressed button."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.identity import Identity, sign_identity
from bot.platform.api import create_app
from bot.platform.db import make_engine, session_factory
from bot.platform.models import AuditLog, User
from bot.platform_client import PlatformClient
from tests.integration.conftest import IDENTITY_SECRET, INTERNAL_TOKEN, make_settings
from tests.unit.trackers import payload_json, tracker

Messages = list[dict[str, Any]]
OLIVIA, MARC, SOFIA = (
    "olivia@demo-kitchen.test",
    "marc@demo-kitchen.test",
    "sofia@demo-kitchen.test",
)
"""DEMO.md's owner (en), manager (fr) and staff member (es)."""
INTERNAL = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
"""The headers of the platform's internal (sandbox) endpoints."""


@dataclass
class InProcessPlatform:
    """The platform app on a demo database, and ways to look into it."""

    client: PlatformClient
    http: httpx.AsyncClient
    url: str

    def query(self, fn: Callable[[Session], Any]) -> Any:
        """``fn``'s answer on a session of its own."""
        engine = make_engine(self.url)
        try:
            with session_factory(engine)() as session:
                return fn(session)
        finally:
            engine.dispose()

    def token(self, email: str) -> str:
        """An identity token of the demo user ``email`` (conversation ``conv-1``)."""
        uid = self.query(lambda s: s.scalars(select(User.id).where(User.email == email)).one())
        return sign_identity(Identity(uid, "conv-1", "web"), IDENTITY_SECRET, 300)

    def user(self, email: str) -> User:
        """The demo user ``email``, as stored."""
        return self.query(lambda s: s.scalars(select(User).where(User.email == email)).one())

    def sms_token(self, email: str, confirmed: bool = False) -> str:
        """An identity token of ``email`` texting from their own phone (``sms:<id>:<digits>``)."""
        user = self.user(email)
        digits = "".join(ch for ch in user.phone or "" if ch.isdigit())
        identity = Identity(user.id, f"sms:{user.id}:{digits}", "sms", confirmed=confirmed)
        return sign_identity(identity, IDENTITY_SECRET, 300)

    def audit(self, action: str) -> list[dict]:
        """The details of the audit entries of ``action``."""
        statement = select(AuditLog.detail).where(AuditLog.action == action)
        return self.query(lambda s: list(s.scalars(statement)))


PlatformT = TypeVar("PlatformT", bound=InProcessPlatform)


@asynccontextmanager
async def open_platform(
    db_url: str, kind: type[PlatformT], **overrides: object
) -> AsyncIterator[PlatformT]:
    """The platform app on ``db_url`` (demo data loaded), as a ``kind``; ``overrides``
    are settings."""
    app = create_app(make_settings(db_url, **overrides))
    transport = httpx.ASGITransport(app=app)
    client = PlatformClient("http://platform.test", transport=transport)
    async with httpx.AsyncClient(transport=transport, base_url="http://platform.test") as http:
        yield kind(client, http, db_url)
    await client.aclose()
    app.state.platform.dispose()


async def run_action(
    action: Action,
    token: str,
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> tuple[Messages, list[dict[str, Any]]]:
    """Run ``action`` for the message ``text`` (``intent``): what the user saw, the events."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent, token, entities, slots), {})
    return dispatcher.messages, events


def pressed(button: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """A pressed button as Rasa parses it: its payload's intent and entities."""
    payload = button["payload"]
    values = payload_json(button) if "{" in payload else {}
    entities = [{"entity": name, "value": value} for name, value in values.items()]
    return payload[1:].split("{", 1)[0], entities


def find_button(messages: Messages, title: str) -> dict[str, str]:
    """The button titled ``title`` among ``messages``' buttons."""
    for message in messages:
        for candidate in message.get("buttons") or []:
            if candidate["title"] == title:
                return candidate
    raise AssertionError(f"no button {title!r} in {json.dumps(messages, ensure_ascii=False)}")
