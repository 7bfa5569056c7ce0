"""The pairing page: ``GET /pair/{token}``, ``POST /pair/{token}``, ``POST /pair/{token}/code``.

The token in the path is the capability; the page needs no login and no JavaScript.
After each step that changed something, the gateway is told (in the background, after
the commit) that the conversation can go on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.platform.api.deps import get_session, get_state
from bot.platform.api.state import PlatformState
from bot.platform.gateway_notifier import notify_conversation, notify_pairing_event
from bot.platform.one_time_page import page_language, read_form
from bot.platform.pairing_page.rendering import format_until, gone_page, render, result_page
from bot.platform.services import pairing as pairing_service
from bot.platform.services.onboarding_views import onboarding_of_pairing
from bot.platform.services.pairing import StepResult

router = APIRouter(prefix="/pair", include_in_schema=False)

MAX_FORM_BYTES = 8192
"""A pairing form is a few short fields; anything bigger is refused."""

_PAGE_OUTCOMES = {"invalid_credentials": "wrong_password"}

Db = Annotated[Session, Depends(get_session)]
State = Annotated[PlatformState, Depends(get_state)]


@router.get("/{token}", response_class=HTMLResponse)
def credentials_form(token: str, request: Request, session: Db) -> HTMLResponse:
    """The credentials form of a live, unused link; the gone page (410) otherwise."""
    page = pairing_service.page_context(session, token)
    if page is None:
        return gone_page(_gone_language(session, token, request))
    return render(
        "credentials.html", page.language, page=page, email=page.login, missing=False,
        action=token,
    )  # fmt: skip


@router.post("/{token}", response_class=HTMLResponse)
async def submit_credentials(
    token: str, request: Request, background: BackgroundTasks, session: Db, state: State
) -> HTMLResponse:
    """The credentials step: success, code form, wrong password, locked, or gone."""
    form = await read_form(request, MAX_FORM_BYTES)
    if form is None:
        return await _gone(session, token, request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    if not email or not password:
        page = await run_in_threadpool(pairing_service.page_context, session, token)
        if page is None:
            return await _gone(session, token, request)
        return render(
            "credentials.html", page.language, 422, page=page, email=email or page.login,
            missing=True, action=token,
        )  # fmt: skip
    result = await run_in_threadpool(
        pairing_service.submit_credentials, session, state.settings, token, email, password
    )
    await _notify(background, session, state, result, "credentials_submitted")
    return await _step_page(session, token, request, result, code_action=f"{token}/code")


@router.post("/{token}/code", response_class=HTMLResponse)
async def submit_code(
    token: str, request: Request, background: BackgroundTasks, session: Db, state: State
) -> HTMLResponse:
    """The code step: success, the code form again (attempts left), locked, or gone."""
    form = await read_form(request, MAX_FORM_BYTES)
    if form is None:
        return await _gone(session, token, request)
    result = await run_in_threadpool(
        pairing_service.submit_page_code,
        session,
        state.settings,
        token,
        form.get("step", ""),
        form.get("code", ""),
    )
    await _notify(background, session, state, result, "code_submitted")
    return await _step_page(session, token, request, result, code_action="code")


async def _step_page(
    session: Session, token: str, request: Request, result: StepResult, code_action: str
) -> HTMLResponse:
    page = result.page
    if result.outcome == "gone" or page is None:
        return await _gone(session, token, request)
    if result.outcome in ("needs_code", "code_rejected"):
        return render(
            "code.html", page.language, page=page, step=result.step or "",
            rejected=result.outcome == "code_rejected", attempts_left=result.attempts_left,
            action=code_action,
        )  # fmt: skip
    outcome = _PAGE_OUTCOMES.get(result.outcome, result.outcome)
    return result_page(
        outcome,
        page.language,
        page=page,
        problem=result.problem or "",
        until=format_until(result.locked_until),
    )


async def _gone(session: Session, token: str, request: Request) -> HTMLResponse:
    """The gone page (410), in the pairing's or the browser's language."""
    return gone_page(await run_in_threadpool(_gone_language, session, token, request))


async def _notify(
    background: BackgroundTasks,
    session: Session,
    state: PlatformState,
    result: StepResult,
    event: str,
) -> None:
    """Tell the gateway the conversation can go on (``onboarding_update`` for a pairing
    that signs in an onboarding's new account, ``repair_pairing_update`` otherwise)."""
    if result.outcome == "gone" or result.notify is None:
        return
    conversation_id, user_id, channel = result.notify
    onboarding = await run_in_threadpool(onboarding_of_pairing, session, result.pairing_id)
    if onboarding is not None:
        background.add_task(
            notify_conversation,
            state.settings,
            conversation_id=conversation_id,
            user_id=user_id,
            channel=channel,
            intent="onboarding_update",
            entities={"onboarding_event": event},
            transport=state.gateway_transport,
        )
        return
    background.add_task(
        notify_pairing_event,
        state.settings,
        conversation_id=conversation_id,
        user_id=user_id,
        channel=channel,
        pairing_event=event,
        transport=state.gateway_transport,
    )


def _gone_language(session: Session, token: str, request: Request) -> str:
    """The language of the gone page: the pairing's, else the browser's, else English."""
    return page_language(pairing_service.token_language(session, token), request)
