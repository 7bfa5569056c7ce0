"""The support console over HTTP: sign-in, sessions, CSRF, and the agents' actions.

The gateway runs under uvicorn with the real platform app in process on a fresh demo
database and Rasa stood in (:mod:`tests.integration.gateway_handoff_stack`); agents are
DEMO.md's Sam Support and Ana Agent, signing in with their demo passwords.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import jwt
import socketio

from bot.platform.models import Agent, Handoff
from tests.integration.gateway_handoff_stack import (
    ASK_FOR_A_PERSON,
    HandoffStack,
    Widget,
    handoff_stack,
)
from tests.integration.sockets import connect_socket

HOURS = "00:00-23:59"  # support is open, whenever the test runs
SAM, SAM_PASSWORD = "sam@support.test", "agent-demo-1"
ANA, ANA_PASSWORD = "ana@support.test", "agent-demo-2"
OLIVIA = "olivia@demo-kitchen.test"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
WRONG = "Wrong e-mail or password."


@asynccontextmanager
async def browser(stack: HandoffStack) -> AsyncIterator[httpx.AsyncClient]:
    """One agent's browser: its own cookie jar."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        yield client


async def csrf_of(client: httpx.AsyncClient, path: str = "/console") -> str:
    page = await client.get(path)
    match = CSRF_FIELD.search(page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await csrf_of(client)
    form = {"email": email, "password": password, "csrf_token": token}
    return await client.post("/console/login", data=form)


async def signed_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """Sign in; the session's CSRF token (from the queue page)."""
    response = await sign_in(client, email, password)
    assert response.status_code == 303, response.text
    return await csrf_of(client, "/console/queue")


async def open_handoff(stack: HandoffStack, conversation: str = "0123456789abcdef") -> int:
    user_id = stack.user_id(OLIVIA)
    body = {
        "conversation_id": f"web:{user_id}:{conversation}",
        "user_id": user_id,
        "channel": "web",
        "language": "en",
        "reason": "asked",
    }
    response = await stack.platform.post("/internal/handoffs", json=body)
    assert response.status_code in (200, 201), response.text
    return int(response.json()["id"])


def handoff_row(stack: HandoffStack, handoff_id: int) -> tuple[str, int | None]:
    return stack.query(lambda s: (lambda h: (h.state, h.agent_id))(s.get(Handoff, handoff_id)))


def online(stack: HandoffStack, email: str) -> bool:
    return stack.query(lambda s: s.get(Agent, stack.agent_id(email)).online)


async def test_sam_signs_in_with_a_strict_http_only_session(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as sam:
        assert (await sam.get("/console/queue")).headers["location"] == "/console"
        response = await sign_in(sam, SAM, SAM_PASSWORD)

        assert response.status_code == 303
        assert response.headers["location"] == "/console/queue"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("console_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Max-Age=43200" in cookie
        queue = await sam.get("/console/queue")
        assert queue.status_code == 200
        assert "Sam Support" in queue.text and "Nobody is waiting." in queue.text
        assert online(stack, SAM) is True  # signing in to work puts the agent online

        token = await csrf_of(sam, "/console/queue")
        away = await sam.post(
            "/console/online", json={"online": False}, headers={"X-CSRF-Token": token}
        )
        assert away.status_code == 200 and online(stack, SAM) is False
        assert "checked" not in (await sam.get("/console/queue")).text
        out = await sam.post("/console/logout", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/console"
        assert (await sam.get("/console/queue")).status_code == 303


async def test_a_wrong_password_and_an_unknown_email_get_the_same_refusal(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as client:
        wrong = await sign_in(client, SAM, "agent-demo-2")
        unknown = await sign_in(client, "nobody@support.test", SAM_PASSWORD)

        for response in (wrong, unknown):
            assert response.status_code == 401
            assert WRONG in response.text
            assert "console_session" not in response.headers.get("set-cookie", "")
        assert (await client.get("/console/queue")).status_code == 303  # still signed out
        assert online(stack, SAM) is False


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as sam, browser(stack) as ana:
        await csrf_of(sam)  # the login form's cookie, but no token in the form
        login = await sam.post("/console/login", data={"email": SAM, "password": SAM_PASSWORD})
        assert login.status_code == 403
        assert "console_session" not in sam.cookies

        token = await signed_in(sam, SAM, SAM_PASSWORD)
        anas_token = await signed_in(ana, ANA, ANA_PASSWORD)
        handoff_id = await open_handoff(stack)
        take = f"/console/handoffs/{handoff_id}/take"

        assert (await sam.post(take)).status_code == 403
        assert (await sam.post(take, headers={"X-CSRF-Token": anas_token})).status_code == 403
        offline = await sam.post("/console/online", json={"online": False})
        assert offline.status_code == 403
        assert (await sam.post("/console/logout")).status_code == 403

        assert handoff_row(stack, handoff_id) == ("waiting", None)
        assert online(stack, SAM) is True
        assert stack.rasa.events == []
        assert (await sam.get("/console/queue")).status_code == 200  # still signed in

        taken = await sam.post(take, headers={"X-CSRF-Token": token})
        assert taken.status_code == 200, taken.text
        assert handoff_row(stack, handoff_id) == ("taken", stack.agent_id(SAM))


async def test_every_console_page_and_action_needs_a_session(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as client:
        handoff_id = await open_handoff(stack)
        token = await csrf_of(client)  # a CSRF cookie and token, but no session
        headers = {"X-CSRF-Token": token}
        forged = jwt.encode(
            {"sub": str(stack.agent_id(SAM)), "csrf": token, "aud": "console"},
            "not-the-gateway-secret-0123456789abcdef",
        )

        for cookie in (None, forged):
            if cookie:
                client.cookies.set("console_session", cookie)
            page = await client.get(f"/console/handoffs/{handoff_id}")
            assert page.status_code == 303 and page.headers["location"] == "/console"
            assert (await client.get(f"/console/handoffs/{handoff_id}.json")).status_code == 401
            take = await client.post(f"/console/handoffs/{handoff_id}/take", headers=headers)
            assert take.status_code == 401
            reply = await client.post(
                f"/console/handoffs/{handoff_id}/messages", json={"text": "hi"}, headers=headers
            )
            assert reply.status_code == 401
        assert handoff_row(stack, handoff_id) == ("waiting", None)

        sio = socketio.AsyncClient(reconnection=False)
        try:
            await connect_socket(sio, stack.gateway_url, namespaces=["/console"])
            connected = True
        except socketio.exceptions.ConnectionError:
            connected = False
        finally:
            await sio.disconnect()
        assert connected is False


async def test_two_agents_take_at_once_and_the_loser_is_told_who_has_it(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as sam, browser(stack) as ana:
        sam_token = await signed_in(sam, SAM, SAM_PASSWORD)
        ana_token = await signed_in(ana, ANA, ANA_PASSWORD)
        handoff_id = await open_handoff(stack)
        path = f"/console/handoffs/{handoff_id}/take"

        by_sam, by_ana = await asyncio.gather(
            sam.post(path, headers={"X-CSRF-Token": sam_token}),
            ana.post(path, headers={"X-CSRF-Token": ana_token}),
        )

        assert sorted([by_sam.status_code, by_ana.status_code]) == [200, 409]
        winner, loser = ("Sam", by_ana) if by_sam.status_code == 200 else ("Ana", by_sam)
        message = loser.json()["detail"]["message"]
        assert message == f"{winner} is already handling this conversation"
        holder = stack.agent_id(SAM if winner == "Sam" else ANA)
        assert handoff_row(stack, handoff_id) == ("taken", holder)

        clients = {"Sam": (sam, sam_token), "Ana": (ana, ana_token)}
        (other, other_token), (holder_client, holder_token) = (
            clients["Ana" if winner == "Sam" else "Sam"],
            clients[winner],
        )
        close = f"/console/handoffs/{handoff_id}/close"
        refused = await other.post(close, headers={"X-CSRF-Token": other_token})
        assert refused.status_code == 409
        assert refused.json()["detail"]["message"] == "You are not handling this conversation."
        assert handoff_row(stack, handoff_id) == ("taken", holder)
        closed = await holder_client.post(close, headers={"X-CSRF-Token": holder_token})
        assert closed.status_code == 200 and closed.json()["state"] == "closed"
        assert handoff_row(stack, handoff_id)[0] == "closed"
        conversation_id = f"web:{stack.user_id(OLIVIA)}:0123456789abcdef"
        assert stack.rasa.appended(conversation_id) == ["pause", "resume", "action:action_listen"]


async def test_sam_takes_replies_sees_olivia_live_and_hands_back(db_url):
    async with handoff_stack(db_url, HOURS) as stack, browser(stack) as sam:
        olivia = await Widget().open(stack.gateway_url, stack.user_id(OLIVIA))
        await olivia.say(ASK_FOR_A_PERSON)
        token = await signed_in(sam, SAM, SAM_PASSWORD)
        headers = {"X-CSRF-Token": token}
        live = socketio.AsyncClient(reconnection=False)
        events: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
        for name in ("queue", "message", "handoff"):
            live.on(name, lambda data, n=name: events.put_nowait((n, data)), namespace="/console")
        cookie = f"console_session={sam.cookies['console_session']}"
        await connect_socket(
            live, stack.gateway_url, headers={"Cookie": cookie}, namespaces=["/console"]
        )
        try:
            name, queue = await asyncio.wait_for(events.get(), 5)
            assert name == "queue"
            [row] = queue["items"]
            assert (row["organization"], row["user"], row["channel"]) == (
                "Demo Kitchen Group",
                "Olivia Owner",
                "web",
            )
            handoff = f"/console/handoffs/{row['id']}"
            page = await sam.get(handoff)
            assert "Demo Kitchen Group" in page.text and ASK_FOR_A_PERSON in page.text

            assert (await sam.post(f"{handoff}/take", headers=headers)).status_code == 200
            joined = await olivia.turn()
            assert any("Sam" in text for text in joined)
            reply = {"text": "Hi Olivia, Sam here"}
            assert (await sam.post(f"{handoff}/messages", json=reply, headers=headers)).is_success
            assert await olivia.turn() == ["Sam (support): Hi Olivia, Sam here"]

            assert await olivia.say("my DoorDash is down") == []  # the bot says nothing
            while (await asyncio.wait_for(events.get(), 5)) != (
                "message",
                {"handoff_id": row["id"], "sender": "user"},
            ):
                pass
            view = (await sam.get(f"{handoff}.json")).json()
            assert [m["text"] for m in view["messages"]][-2:] == [
                "Hi Olivia, Sam here",
                "my DoorDash is down",
            ]
            assert "my DoorDash is down" not in stack.rasa.messages(olivia.conversation_id)

            assert (await sam.post(f"{handoff}/return", headers=headers)).status_code == 200
            assert "handed you back to the assistant" in (await olivia.turn())[0]
            assert await olivia.say("status") == ["echo: status"]
            assert handoff_row(stack, int(row["id"]))[0] == "returned"
        finally:
            await live.disconnect()
            await olivia.client.disconnect()
