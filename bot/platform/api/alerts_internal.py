"""Internal live-alert endpoints (``Authorization: Bearer <INTERNAL_TOKEN>``).

* ``POST /internal/sandbox/break`` — SANDBOX ONLY (404 unless ``SANDBOX_CONTROLS``):
  disconnect a working store link as a provider would, through ``mark_disconnected``
  (``make break PROVIDER= LOCATION= ERROR=``). Bad input changes nothing.
* ``GET /internal/alerts/outbox?state=`` — the outbox rows (tests, demos, parked report).
* ``GET /internal/pos/tickets?location=&organization_id=`` — a location's unfetched POS
  tickets, marked fetched (each is returned once).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from bot.platform.api.deps import DbSession, State, require_internal
from bot.platform.api.schemas import ErrorOut
from bot.platform.models import OUTBOX_STATES, AlertOutbox, Location, PosTicket, utcnow
from bot.platform.services.alert_queue import open_due_incidents
from bot.platform.services.link_health import BreakRefused, break_links

router = APIRouter(
    prefix="/internal",
    dependencies=[Depends(require_internal)],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    tags=["alerts"],
)


class BreakIn(BaseModel):
    """Which working store link(s) to disconnect, and how."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(min_length=1, max_length=100, examples=["Just Eat"])
    location: str = Field(min_length=1, max_length=200, examples=["Downtown"])
    brand: str | None = Field(None, max_length=200, examples=["Burger Barn"])
    error_type: str = Field(min_length=1, max_length=40, examples=["invalid_credentials"])
    error_case: str | None = Field(None, max_length=40)
    organization_id: int | None = Field(None, description="when location names repeat")


class IncidentOut(BaseModel):
    """An incident the break opened."""

    id: int
    organization_id: int
    link_id: int
    provider: str
    error_type: str
    error_case: str | None
    state: str
    opened_at: datetime
    alert_at: datetime
    location: str
    brand: str


class BreakOut(BaseModel):
    """What the break did."""

    incidents: list[IncidentOut]


class OutboxOut(BaseModel):
    """An outbox row and the incidents it carries."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    channel: str
    user_id: int | None
    location_id: int | None
    address: str
    language: str
    state: str
    due_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    message_key: str
    sent_at: datetime | None
    created_at: datetime
    incident_ids: list[int] = Field(description="incidents carried (not cancelled)")


class TicketOut(BaseModel):
    """A POS ticket to print."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    location_id: int
    incident_id: int
    body: str
    created_at: datetime


@router.post("/sandbox/break", response_model=BreakOut, tags=["sandbox"])
def break_link(body: BreakIn, session: DbSession, state: State) -> BreakOut:
    """SANDBOX ONLY: disconnect the working links of a provider at a location (/ brand).

    404 ``unknown_provider`` / ``unknown_location`` / ``unknown_brand`` / ``no_link``,
    409 ``not_working`` (every matching link is already disconnected), 422
    ``unknown_error_type`` / ``error_case_needs_store_configuration``.
    """
    if not state.settings.sandbox_controls:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail={"code": "not_found"})
    try:
        incidents = break_links(
            session,
            state.settings,
            provider=body.provider,
            location=body.location,
            brand=body.brand,
            error_type=body.error_type.strip().lower(),
            error_case=body.error_case,
            organization_id=body.organization_id,
        )
    except BreakRefused as exc:
        session.rollback()
        raise HTTPException(
            status_code=exc.status, detail={"code": exc.code, "value": exc.value}
        ) from None
    session.commit()
    answer = []
    for incident in incidents:
        store = incident.link.store
        columns = {
            key: getattr(incident, key)
            for key in IncidentOut.model_fields
            if key not in ("location", "brand")
        }
        answer.append(IncidentOut(**columns, location=store.location.name, brand=store.brand.name))
    return BreakOut(incidents=answer)


@router.get("/alerts/outbox", response_model=list[OutboxOut])
def list_outbox(
    session: DbSession, state: str | None = Query(None, description=", ".join(OUTBOX_STATES))
) -> list[OutboxOut]:
    """The outbox rows, oldest first, optionally in one state."""
    if state is not None and state not in OUTBOX_STATES:
        raise HTTPException(status_code=422, detail={"code": "unknown_state", "value": state})
    if open_due_incidents(session, utcnow()):
        session.commit()
    query = select(AlertOutbox).order_by(AlertOutbox.id)
    if state is not None:
        query = query.where(AlertOutbox.state == state)
    rows = []
    for row in session.scalars(query):
        carried = [item.incident_id for item in row.items if item.cancelled_at is None]
        rows.append(OutboxOut.model_validate({**_columns(row), "incident_ids": carried}))
    return rows


@router.get("/pos/tickets", response_model=list[TicketOut])
def fetch_tickets(
    session: DbSession,
    location: str = Query(min_length=1, max_length=200),
    organization_id: int = Query(),
) -> list[TicketOut]:
    """The location's unfetched tickets, oldest first; each is returned once.

    404 ``unknown_location`` when the organization has no location of that name.
    """
    place = session.scalars(
        select(Location).where(
            Location.organization_id == organization_id,
            func.lower(Location.name) == location.strip().lower(),
        )
    ).first()
    if place is None:
        raise HTTPException(status_code=404, detail={"code": "unknown_location", "value": location})
    tickets = session.scalars(
        select(PosTicket)
        .where(PosTicket.location_id == place.id, PosTicket.fetched_at.is_(None))
        .order_by(PosTicket.id)
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    for ticket in tickets:
        ticket.fetched_at = now
    answer = [TicketOut.model_validate(ticket) for ticket in tickets]
    session.commit()
    return answer


def _columns(row: AlertOutbox) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in AlertOutbox.__table__.columns}
