"""The support console: the agents' web pages, served by the gateway.

* ``GET /console`` — sign-in form; ``POST /console/login`` (form + CSRF) checks the
  agent's e-mail and password with the platform, sets the session cookie and marks the
  agent online; ``POST /console/logout`` marks them offline and signs out.
* ``GET /console/queue`` — the open handoffs (live over socket.io, :mod:`console_live`)
  and the "online" toggle (``POST /console/online {online}``).
* ``GET /console/live`` — the conversations whose user wrote in the last minutes (from
  the platform; ``GET /console/live.json`` for ``console.js``), each with a "Take" button:
  ``POST /console/live/take {conversation_id}`` (form + CSRF) opens a handoff (reason
  ``agent``) and takes it at once, then shows the conversation; if someone else holds it
  already the agent is told so on the list.
* ``GET /console/handoffs/{id}`` — the packet, the live transcript and the actions;
  ``GET /console/handoffs/{id}.json`` — the live part, for ``console.js``;
  ``POST /console/handoffs/{id}/take | /messages {text} | /return | /close``.

Every page needs the agent's session (else: the sign-in form, or 401 for JSON); every
POST needs the session's CSRF token (else 403 and nothing changes). The platform
decides who may do what (one holder; two agents taking at once → one wins, 409
``already_taken`` for the other); the gateway's :class:`HandoffRouter` then tells the
user and pauses or resumes Rasa's tracker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import socketio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from bot.gateway import console_auth as auth
from bot.gateway.console_actions import ConsoleActions, refusal
from bot.gateway.console_auth import AgentSession
from bot.gateway.console_live import ConsoleLive
from bot.gateway.console_view import (
    handoff_view,
    live_rows,
    packet_view,
    queue_rows,
    waiting_banner,
)
from bot.gateway.runtime import GatewayRuntime
from bot.platform_client import PlatformError, PlatformUnavailable

log = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
MAX_REPLY_CHARS = 2000
UNAVAILABLE = "The platform is not reachable: try again."


class OnlineBody(BaseModel):
    """``POST /console/online``."""

    online: bool


class ReplyBody(BaseModel):
    """``POST /console/handoffs/{id}/messages``."""

    text: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)


def install(app: FastAPI, sio: socketio.AsyncServer, runtime: GatewayRuntime) -> ConsoleLive:
    """Add the console's routes and its socket.io namespace to the gateway."""
    live = ConsoleLive(sio, runtime)
    runtime.handoffs.on_user_message(live.user_message)
    runtime.handoffs.on_handoff_changed(live.user_changed_handoff)
    app.state.console_live = live
    app.include_router(build_router(ConsoleActions(runtime, live)))
    return live


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, name, context, status_code=status_code, headers=HEADERS
    )


def _login_page(request: Request, error: str = "", email: str = "", status: int = 200) -> Response:
    csrf = request.cookies.get(auth.CSRF_COOKIE) or auth.new_csrf_token()
    context = {"csrf_token": csrf, "agent": None, "error": error, "email": email}
    response = _page(request, "console_login.html", context, status)
    auth.set_csrf_cookie(response, request, csrf, auth.session_ttl(_settings(request)))
    return response


def _settings(request: Request) -> Any:
    return request.app.state.runtime.settings


def _to_login() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


def _json_agent(request: Request) -> AgentSession:
    session = auth.current_agent(request)
    if session is None:
        raise HTTPException(status_code=401, detail={"code": "not_signed_in"})
    return session


def _problem(exc: PlatformError | PlatformUnavailable) -> JSONResponse:
    if isinstance(exc, PlatformUnavailable):
        body = {"code": "unavailable", "message": "The platform is not reachable: try again."}
        return JSONResponse({"detail": body}, status_code=503)
    return JSONResponse({"detail": {"code": exc.code, **exc.detail}}, status_code=exc.status)


def build_router(actions: ConsoleActions) -> APIRouter:
    """The console's routes."""
    router = APIRouter(prefix="/console")

    @router.get("", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        if auth.current_agent(request) is not None:
            return RedirectResponse("/console/queue", status_code=303)
        return _login_page(request)

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        await auth.check_csrf(request, None)
        form = await auth.form_fields(request)
        email = form.get("email", "").strip()
        password = form.get("password", "")
        try:
            agent = await actions.login(email, password)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("console login unavailable: %s", exc)
            return _login_page(request, "Sign-in is not available right now.", email, 503)
        if agent is None:
            return _login_page(request, "Wrong e-mail or password.", email, 401)
        response = RedirectResponse("/console/queue", status_code=303)
        auth.set_session_cookies(response, request, _settings(request), agent)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = auth.current_agent(request)
        if session is not None:  # an expired session is signed out already
            await auth.check_csrf(request, session)
            await actions.set_online(session, False, quiet=True)
        response = _to_login()
        auth.clear_session_cookies(response)
        return response

    @router.get("/queue", response_class=HTMLResponse)
    async def queue(request: Request) -> Response:
        session = auth.current_agent(request)
        if session is None:
            return _to_login()
        try:
            rows = queue_rows(await actions.platform.handoffs_queue())
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("console queue unavailable: %s", exc)
            rows = []
        context = {
            "csrf_token": session.csrf,
            "agent": session,
            "queue": rows,
            "online": actions.is_online(session),
            "banner": waiting_banner(rows),
        }
        return _page(request, "console_queue.html", context)

    async def live_page(
        request: Request, session: AgentSession, error: str = "", status: int = 200
    ) -> Response:
        try:
            rows = live_rows(await actions.platform.live_conversations())
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("console live conversations unavailable: %s", exc)
            rows, error, status = [], error or UNAVAILABLE, 503
        context = {"csrf_token": session.csrf, "agent": session, "rows": rows, "error": error}
        return _page(request, "console_live.html", context, status)

    @router.get("/live", response_class=HTMLResponse)
    async def live(request: Request) -> Response:
        session = auth.current_agent(request)
        if session is None:
            return _to_login()
        return await live_page(request, session)

    @router.get("/live.json")
    async def live_json(request: Request) -> Any:
        _json_agent(request)
        try:
            return {"items": live_rows(await actions.platform.live_conversations())}
        except (PlatformError, PlatformUnavailable) as exc:
            return _problem(exc)

    @router.post("/live/take")
    async def take_live(
        request: Request, session: AgentSession = Depends(auth.require_agent)
    ) -> Response:
        conversation_id = (await auth.form_fields(request)).get("conversation_id", "").strip()
        if not conversation_id:
            return await live_page(request, session, "Choose a conversation to take.", 422)
        try:
            handoff = await actions.take_live(conversation_id, session)
        except PlatformUnavailable:
            return await live_page(request, session, UNAVAILABLE, 503)
        except PlatformError as exc:
            message = refusal(exc).get("message") or f"That did not work ({exc.code})."
            return await live_page(request, session, str(message), exc.status)
        return RedirectResponse(f"/console/handoffs/{int(handoff['id'])}", status_code=303)

    @router.post("/online")
    async def online(body: OnlineBody, session: AgentSession = Depends(auth.require_agent)) -> Any:
        try:
            await actions.set_online(session, body.online)
        except (PlatformError, PlatformUnavailable) as exc:
            return _problem(exc)
        return {"online": body.online}

    @router.get("/handoffs/{handoff_id}.json")
    async def handoff_json(handoff_id: int, request: Request) -> Any:
        session = _json_agent(request)
        try:
            handoff = await actions.platform.handoff(handoff_id)
        except (PlatformError, PlatformUnavailable) as exc:
            return _problem(exc)
        if handoff is None:
            raise HTTPException(status_code=404, detail={"code": "no_handoff"})
        return handoff_view(handoff, session.agent_id)

    @router.get("/handoffs/{handoff_id}", response_class=HTMLResponse)
    async def handoff_page(handoff_id: int, request: Request) -> Response:
        session = auth.current_agent(request)
        if session is None:
            return _to_login()
        try:
            handoff = await actions.platform.handoff(handoff_id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("console handoff %s unavailable: %s", handoff_id, exc)
            raise HTTPException(status_code=503, detail={"code": "unavailable"}) from None
        if handoff is None:
            raise HTTPException(status_code=404, detail={"code": "no_handoff"})
        view = handoff_view(handoff, session.agent_id)
        context = {
            "csrf_token": session.csrf,
            "agent": session,
            "handoff": view,
            "packet": packet_view(handoff),
            "state_text": view["state_text"],
        }
        return _page(request, "console_handoff.html", context)

    @router.post("/handoffs/{handoff_id}/take")
    async def take(handoff_id: int, session: AgentSession = Depends(auth.require_agent)) -> Any:
        return await actions.run(actions.take, handoff_id, session)

    @router.post("/handoffs/{handoff_id}/messages")
    async def reply(
        handoff_id: int, body: ReplyBody, session: AgentSession = Depends(auth.require_agent)
    ) -> Any:
        return await actions.run(actions.reply, handoff_id, session, body.text.strip())

    @router.post("/handoffs/{handoff_id}/return")
    async def hand_back(
        handoff_id: int, session: AgentSession = Depends(auth.require_agent)
    ) -> Any:
        return await actions.run(actions.hand_back, handoff_id, session)

    @router.post("/handoffs/{handoff_id}/close")
    async def close(handoff_id: int, session: AgentSession = Depends(auth.require_agent)) -> Any:
        return await actions.run(actions.close, handoff_id, session)

    return router
