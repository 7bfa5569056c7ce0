"""The OTO setup page: ``GET /oto-setup/{token}`` (the form), ``POST /oto-setup/{token}``.

The token in the path is the capability; the page needs no login and no JavaScript. The
link is used once: the retailer ID and token typed here are checked with OTO; a valid
pair is saved, an invalid one changes nothing. Then the gateway is told (in the
background, after the commit) that the conversation can go on
(``oto_setup_update`` with ``oto_event`` ``saved`` or ``invalid``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.platform.api.deps import get_session, get_state
from bot.platform.api.state import PlatformState
from bot.platform.gateway_notifier import notify_conversation
from bot.platform.one_time_page import page_language, read_form
from bot.platform.oto_page import log_redaction
from bot.platform.oto_page.rendering import gone_page, render, result_page
from bot.platform.services import oto_setup
from bot.platform.services.oto_setup import PAGE_PATH, SubmitResult

router = APIRouter(prefix=PAGE_PATH, include_in_schema=False)

MAX_FORM_BYTES = 4096
"""The form is two short fields; anything bigger is refused."""

NOTIFIED_EVENTS = {"saved": "saved", "invalid": "invalid", "provider_error": "invalid"}
"""The page's outcome -> the ``oto_event`` the conversation is continued with."""

Db = Annotated[Session, Depends(get_session)]
State = Annotated[PlatformState, Depends(get_state)]

# The link token must not reach the access log; installed when the page is mounted.
log_redaction.install()


@router.get("/{token}", response_class=HTMLResponse)
def setup_form(token: str, request: Request, session: Db) -> HTMLResponse:
    """The form of a live, unused link; the gone page (410) otherwise."""
    page = oto_setup.page_for(session, token)
    if page is None:
        return gone_page(_gone_language(session, token, request))
    return render(
        "oto_form.html", page.language, page=page, retailer_id="", missing=False, action=token
    )


@router.post("/{token}", response_class=HTMLResponse)
async def submit_setup(
    token: str, request: Request, background: BackgroundTasks, session: Db, state: State
) -> HTMLResponse:
    """Check the pair with OTO: saved, invalid (nothing saved), or gone."""
    form = await read_form(request, MAX_FORM_BYTES)
    if form is None:
        return await _gone(session, token, request)
    retailer_id, oto_token = form.get("retailer_id", "").strip(), form.get("token", "").strip()
    if not retailer_id or not oto_token:
        page = await run_in_threadpool(oto_setup.page_for, session, token)
        if page is None:
            return await _gone(session, token, request)
        return render(
            "oto_form.html", page.language, 422, page=page, retailer_id=retailer_id,
            missing=True, action=token,
        )  # fmt: skip
    result = await run_in_threadpool(
        oto_setup.submit_credentials, session, state.settings, token, retailer_id, oto_token
    )
    del oto_token, form
    if result.outcome == "gone" or result.page is None:
        return await _gone(session, token, request)
    _notify(background, state, result)
    status_code = 200 if result.outcome == "saved" else 422
    return result_page(result.outcome, result.page.language, status_code)


def _notify(background: BackgroundTasks, state: PlatformState, result: SubmitResult) -> None:
    if result.notify is None:
        return
    conversation_id, user_id, channel = result.notify
    background.add_task(
        notify_conversation,
        state.settings,
        conversation_id=conversation_id,
        user_id=user_id,
        channel=channel,
        intent="oto_setup_update",
        entities={"oto_event": NOTIFIED_EVENTS.get(result.outcome, "invalid")},
        transport=state.gateway_transport,
    )


async def _gone(session: Session, token: str, request: Request) -> HTMLResponse:
    return gone_page(await run_in_threadpool(_gone_language, session, token, request))


def _gone_language(session: Session, token: str, request: Request) -> str:
    """The language of the gone page: the link's, else the browser's, else English."""
    return page_language(oto_setup.token_language(session, token), request)
