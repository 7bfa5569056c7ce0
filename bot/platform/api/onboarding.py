"""Onboarding endpoints (identity token): "connect <provider> at <location>" and its steps.

``POST /api/v1/onboarding`` checks the provider's eligibility criteria and, when the
location is eligible, opens an onboarding; then ``/pairing`` (the one-time sign-in
link for a new provider account), ``/brand`` (merge / new), ``/stores`` (once) and
``/menu-export`` (once per request id) move it on; ``GET`` reads it (it moves on by
itself after the sign-in and when the provider's QA is due). SANDBOX ONLY:
``POST /internal/sandbox/onboardings/{id}/qa`` makes the provider's QA pass now.
After the QA passes, the platform tells the gateway (``onboarding_update``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.platform.api.deps import (
    ConfirmedCaller,
    ConfirmedUser,
    CurrentCaller,
    CurrentUser,
    DbSession,
    State,
    require_internal,
)
from bot.platform.api.errors import ERROR_RESPONSES, http_error
from bot.platform.api.state import PlatformState
from bot.platform.gateway_notifier import notify_conversation
from bot.platform.models import User
from bot.platform.models.onboarding import Onboarding
from bot.platform.services import menu_export, onboarding, onboarding_steps
from bot.platform.services.errors import (
    NoPairing,
    ServiceError,
    UnknownLocation,
    UnknownProvider,
)
from bot.platform.services.onboarding_progress import pass_qa, refresh
from bot.platform.services.onboarding_views import (
    OnboardingView,
    latest_onboarding,
    load_onboarding,
    onboarding_view,
)
from bot.platform.services.operations import OperationResult

logger = logging.getLogger(__name__)
router = APIRouter(responses=ERROR_RESPONSES, tags=["onboarding"])
PREFIX = "/api/v1/onboarding"
EVENT_INTENT = "onboarding_update"
_TIMERS: set[asyncio.Task[None]] = set()
_LANG = Query(None, description="en, fr or es; default: the onboarding's language")


class StartIn(BaseModel):
    """ "connect <provider> at <location>"."""

    provider: str = Field(max_length=100)
    location: str = Field(max_length=200)
    lang: str | None = Field(None, max_length=8)


class LangBody(BaseModel):
    """A request with only the answer's language."""

    lang: str | None = Field(None, max_length=8)


class BrandIn(LangBody):
    """Merge with the existing brand, or create a new one."""

    brand_mode: str = Field(max_length=8, description="merge or new")


class StoresIn(LangBody):
    """The provider store ids to connect (``all``: every active one)."""

    stores: list[str] = Field(min_length=1, max_length=50)


class RetryIn(LangBody):
    """ "Retry menu export"; ``request_id`` comes from the Confirm button (one run each)."""

    request_id: str = Field(min_length=1, max_length=64)


class OnboardingOut(BaseModel):
    """An onboarding: where it stands, the choices it offers, its alert."""

    model_config = ConfigDict(extra="allow")

    onboarding_id: str
    provider: str
    location: str
    state: str
    criteria: list[str]
    account_id: str | None
    account: str | None
    pairing: dict[str, Any] | None
    brand_mode: str | None
    brands: list[str]
    stores: list[dict[str, Any]]
    failing: list[dict[str, Any]]
    linked: list[dict[str, Any]]
    alert: dict[str, Any] | None
    qa_due_at: datetime | None
    url: str | None = None
    replayed: bool = False


class EligibilityOut(BaseModel):
    """The provider's criteria at the location, the failing ones with their fixes."""

    eligible: bool
    provider: str
    location: str
    criteria: list[str]
    stores: list[str]
    failing: list[dict[str, Any]]
    onboarding: OnboardingOut | None


def _out(view: OnboardingView, **extra: Any) -> OnboardingOut:
    data = asdict(view)
    data.pop("extra", None)
    data.update(extra)
    return OnboardingOut.model_validate(data)


def _error(exc: ServiceError) -> HTTPException:
    detail: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, onboarding.AlreadyConnected):
        detail.update(provider=exc.provider, accounts=exc.accounts, stores=exc.stores)
        return HTTPException(status.HTTP_409_CONFLICT, detail)
    if isinstance(exc, onboarding.WrongStep):
        return HTTPException(status.HTTP_409_CONFLICT, {**detail, "state": exc.state})
    if isinstance(exc, UnknownProvider | UnknownLocation | onboarding_steps.BadChoice):
        return HTTPException(422, {**detail, "value": exc.value, "valid": exc.valid})
    if isinstance(exc, NoPairing):
        return HTTPException(status.HTTP_404_NOT_FOUND, {"code": "no_onboarding"})
    return http_error(exc)


def _operation(result: OperationResult) -> None:
    """A failed step becomes its 409 (``wrong_step``, ``bad_choice``)."""
    if not result.succeeded:
        raise HTTPException(status.HTTP_409_CONFLICT, {"code": "wrong_step", **result.result})


@router.post(PREFIX, response_model=EligibilityOut)
def start(body: StartIn, caller: CurrentCaller, session: DbSession) -> EligibilityOut:
    """Check the provider's criteria at the location; open an onboarding when eligible."""
    try:
        result = onboarding.start_onboarding(
            session, caller.user, caller.identity, body.provider, body.location, body.lang
        )
    except ServiceError as exc:
        raise _error(exc) from None
    return EligibilityOut(
        eligible=result.eligible,
        provider=result.provider,
        location=result.location,
        criteria=result.criteria,
        stores=result.stores,
        failing=[asdict(failure) for failure in result.failing],
        onboarding=_out(result.onboarding) if result.onboarding else None,
    )


@router.get(f"{PREFIX}/current", response_model=OnboardingOut)
def current(caller: CurrentCaller, session: DbSession, lang: str | None = _LANG) -> OnboardingOut:
    """The newest onboarding the caller started from this conversation (404 none)."""
    try:
        found = latest_onboarding(session, caller.user, caller.identity.conversation_id)
    except ServiceError as exc:
        raise _error(exc) from None
    refresh(session, found)
    return _out(onboarding_view(session, found, lang))


@router.get(f"{PREFIX}/{{onboarding_id}}", response_model=OnboardingOut)
def read(
    onboarding_id: str, user: CurrentUser, session: DbSession, lang: str | None = _LANG
) -> OnboardingOut:
    """One onboarding of the caller's organization (403 ``forbidden`` otherwise)."""
    try:
        found = load_onboarding(session, user, onboarding_id)
    except ServiceError as exc:
        raise _error(exc) from None
    refresh(session, found)
    return _out(onboarding_view(session, found, lang))


@router.post(
    f"{PREFIX}/{{onboarding_id}}/pairing",
    response_model=OnboardingOut,
    status_code=status.HTTP_201_CREATED,
)
def send_link(
    onboarding_id: str, body: LangBody, caller: ConfirmedCaller, session: DbSession, state: State
) -> OnboardingOut:
    """The one-time sign-in link (pairing page) for the onboarding's new provider account."""
    try:
        started = onboarding_steps.send_link(
            session, state.settings, caller.user, caller.identity, onboarding_id, body.lang
        )
        found = load_onboarding(session, caller.user, onboarding_id)
    except ServiceError as exc:
        raise _error(exc) from None
    return _out(onboarding_view(session, found, body.lang), url=started.url)


@router.post(f"{PREFIX}/{{onboarding_id}}/brand", response_model=OnboardingOut)
def choose_brand(
    onboarding_id: str, body: BrandIn, user: CurrentUser, session: DbSession
) -> OnboardingOut:
    """Merge the provider's stores with our existing brands, or create a new brand."""
    try:
        found = onboarding_steps.choose_brand(session, user, onboarding_id, body.brand_mode)
    except ServiceError as exc:
        raise _error(exc) from None
    return _out(onboarding_view(session, found, body.lang))


@router.post(f"{PREFIX}/{{onboarding_id}}/stores", response_model=OnboardingOut)
async def choose_stores(
    onboarding_id: str, body: StoresIn, user: ConfirmedUser, session: DbSession, state: State
) -> OnboardingOut:
    """Connect the chosen stores (once); their menus go to the provider, then its QA."""
    step = onboarding_steps.choose_stores
    return await _menu_step(step, body.stores, onboarding_id, user, session, state, body.lang)


@router.post(f"{PREFIX}/{{onboarding_id}}/menu-export", response_model=OnboardingOut)
async def retry_menu_export(
    onboarding_id: str, body: RetryIn, user: ConfirmedUser, session: DbSession, state: State
) -> OnboardingOut:
    """ "Retry menu export" once the merchant made the fix (once per ``request_id``)."""
    step = menu_export.retry_export
    return await _menu_step(
        step, body.request_id, onboarding_id, user, session, state, body.lang, retry=True
    )


@router.post(
    "/internal/sandbox/onboardings/{onboarding_id}/qa",
    dependencies=[Depends(require_internal)],
    tags=["sandbox"],
)
async def sandbox_pass_qa(onboarding_id: str, session: DbSession, state: State) -> dict[str, str]:
    """SANDBOX ONLY: the provider's QA passes the onboarding now (and the chat is told)."""
    if not state.settings.sandbox_controls:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"code": "not_found"})
    found = await run_in_threadpool(session.get, Onboarding, onboarding_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"code": "not_found"})
    passed = await run_in_threadpool(_pass_now, session, found)
    if passed:
        await _notify(state, found, "qa_passed")
    return {"onboarding_id": found.id, "state": found.state}


def _pass_now(session: Any, found: Onboarding) -> bool:
    passed = pass_qa(session, found)
    session.commit()
    return passed


async def _menu_step(
    step: Callable[[Session, Settings, User, str, Any], OperationResult],
    choice: Any,
    onboarding_id: str,
    user: User,
    session: Session,
    state: PlatformState,
    lang: str | None,
    *,
    retry: bool = False,
) -> OnboardingOut:
    """Run a step that exports menus (``step(..., onboarding_id, choice)``, off the event
    loop) and answer the onboarding after it (its 409 when the step failed), with the
    provider's QA timer started when the onboarding now waits for it; ``retry`` adds the
    step's own result (``retry``) to the answer."""
    try:
        result = await run_in_threadpool(step, session, state.settings, user, onboarding_id, choice)
    except ServiceError as exc:
        raise _error(exc) from None
    _operation(result)
    found = await run_in_threadpool(load_onboarding, session, user, onboarding_id)
    _schedule_qa(state, found)
    view = await run_in_threadpool(onboarding_view, session, found, lang)
    extra = {"retry": result.result} if retry else {}
    return _out(view, replayed=result.replayed, **extra)


def _schedule_qa(state: PlatformState, found: Onboarding) -> None:
    """Pass the provider's QA when due, then tell the conversation (sandbox timer)."""
    if found.state != "waiting_qa" or found.qa_due_at is None:
        return
    delay = (found.qa_due_at - datetime.now(timezone.utc)).total_seconds()
    task = asyncio.get_running_loop().create_task(_qa_timer(state, found.id, max(0.0, delay)))
    _TIMERS.add(task)
    task.add_done_callback(_TIMERS.discard)


async def _qa_timer(state: PlatformState, onboarding_id: str, delay: float) -> None:
    await asyncio.sleep(delay + 0.05)

    def run() -> Onboarding | None:
        with state.sessions()() as session:
            found = session.get(Onboarding, onboarding_id)
            if found is None or not refresh(session, found) or found.state != "passed_qa":
                return None
            session.expunge(found)
            return found

    try:
        found = await run_in_threadpool(run)
        if found is not None:
            await _notify(state, found, "qa_passed")
    except Exception:  # a timer must never take the app down; the state stays readable
        logger.exception("the sandbox QA timer of onboarding %s failed", onboarding_id)


async def _notify(state: PlatformState, found: Onboarding, event: str) -> None:
    if not found.conversation_id:
        return
    await notify_conversation(
        state.settings,
        conversation_id=found.conversation_id,
        user_id=found.user_id,
        channel=found.channel or "",
        intent=EVENT_INTENT,
        entities={"onboarding_event": event},
        transport=state.gateway_transport,
    )
