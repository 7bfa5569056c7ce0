"""``POST /internal/alerts/unsubscribe`` (``Authorization: Bearer <INTERNAL_TOKEN>``).

The gateway calls it when a recipient follows the signed unsubscribe link of an alert
e-mail (:mod:`bot.gateway.unsubscribe`; the gateway has checked the token). It turns
that user's alert e-mails off through the same service as the chat
(:func:`bot.platform.services.alert_settings.update_alert_settings`, which writes the
``alert_settings`` audit entry), and cancels the e-mails still waiting in the outbox for
them: "you will no longer receive alert e-mails" holds from the click on. Calling it
again changes nothing. Chat turns them back on ("send me e-mail alerts").
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.platform.api.deps import DbSession, require_internal
from bot.platform.api.schemas import ErrorOut
from bot.platform.models import AlertItem, AlertOutbox, User, utcnow
from bot.platform.services.alert_settings import update_alert_settings

AUDIT_CHANNEL = "email_unsubscribe_link"
UNSUBSCRIBED = "unsubscribed"  # last_error of the e-mail rows an unsubscribe cancelled

router = APIRouter(
    prefix="/internal/alerts",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    tags=["alerts"],
)


class UnsubscribeIn(BaseModel):
    """Whose alert e-mails to turn off (the user id of a verified unsubscribe token)."""

    model_config = ConfigDict(extra="forbid")

    user_id: StrictInt = Field(gt=0)


class UnsubscribeOut(BaseModel):
    """The user's e-mail alert choice after the call, and what it did."""

    user_id: int
    email: bool = Field(description="e-mail alerts on (always false after the call)")
    changed: bool = Field(description="they were on and are now off")
    cancelled: int = Field(description="e-mail alerts still waiting that will not be sent")


@router.post("/unsubscribe", response_model=UnsubscribeOut)
def unsubscribe(body: UnsubscribeIn, session: DbSession) -> UnsubscribeOut:
    """Turn the user's alert e-mails off and cancel their waiting ones (idempotent).

    404 ``unknown_user`` when there is no such user (nothing changes).
    """
    user = session.get(User, body.user_id)
    if user is None:
        raise HTTPException(status_code=404, detail={"code": "unknown_user", "value": body.user_id})
    after = update_alert_settings(session, user, email=False, channel=AUDIT_CHANNEL)
    cancelled = _cancel_waiting_emails(session, body.user_id)
    return UnsubscribeOut(
        user_id=body.user_id,
        email=after.email,
        changed="email" in after.changed,
        cancelled=cancelled,
    )


def _cancel_waiting_emails(session: Session, user_id: int) -> int:
    """Cancel the user's e-mail rows no dispatcher has claimed yet, and commit.

    Conditional on ``state = 'pending'`` at write time, so a row a dispatcher claims
    meanwhile (``sending``) is left to it.
    """
    waiting = AlertOutbox.state == "pending"
    ids = session.scalars(
        select(AlertOutbox.id)
        .where(AlertOutbox.user_id == user_id, AlertOutbox.channel == "email", waiting)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return 0
    done = session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id.in_(ids), waiting)
        .values(state="cancelled", last_error=UNSUBSCRIBED)
    )
    cancelled_rows = select(AlertOutbox.id).where(
        AlertOutbox.id.in_(ids), AlertOutbox.last_error == UNSUBSCRIBED
    )
    session.execute(
        update(AlertItem)
        .where(AlertItem.outbox_id.in_(cancelled_rows), AlertItem.cancelled_at.is_(None))
        .values(cancelled_at=utcnow())
    )
    session.commit()
    return int(done.rowcount or 0)
