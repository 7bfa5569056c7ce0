"""Internal endpoints for the gateway (``Authorization: Bearer <INTERNAL_TOKEN>``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, status

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.schemas import ErrorOut, UserOut
from bot.platform.services.users import get_user, get_user_by_email, list_users

router = APIRouter(
    prefix="/internal",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}},
    tags=["internal"],
)


def _not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})


@router.get("/users/{user_id}", response_model=UserOut)
def user_by_id(user_id: int, session: DbSession) -> UserOut:
    """One user by id."""
    user = get_user(session, user_id)
    if user is None:
        raise _not_found()
    return UserOut.of(user)


@router.get("/users", response_model=UserOut)
def user_by_email(session: DbSession, email: str = Query(..., min_length=1)) -> UserOut:
    """One user by e-mail (case-insensitive)."""
    user = get_user_by_email(session, email)
    if user is None:
        raise _not_found()
    return UserOut.of(user)


@router.get("/demo-users", response_model=list[UserOut])
def demo_users(session: DbSession, state: State) -> list[UserOut]:
    """Every user, for the demo page's user picker; 404 unless DEMO_MODE is on."""
    if not state.settings.demo_mode:
        raise _not_found()
    return [UserOut.of(user) for user in list_users(session)]
