"""Response bodies of the platform API (the contract the actions and the gateway code against)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import Self

if TYPE_CHECKING:
    from bot.platform.models import User


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Health(_Out):
    """The liveness answer."""

    status: Literal["ok"] = "ok"


class ProviderOut(_Out):
    """A catalog provider as the bot names it."""

    key: str
    name: str
    aliases: list[str]


class OrganizationRef(_Out):
    """An organization's id and name."""

    id: int
    name: str


class Permissions(_Out):
    """What the user may do in their organization."""

    manage_integrations: bool
    cancel_orders: bool


class UserOut(_Out):
    """A user as the gateway knows them."""

    id: int
    name: str
    email: str
    language: str
    organization: OrganizationRef

    @classmethod
    def of(cls, user: User, **extra: object) -> Self:
        """The API view of ``user``; ``extra`` fills a subclass's own fields."""
        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            language=user.language,
            organization=OrganizationRef(id=user.organization.id, name=user.organization.name),
            **extra,
        )


class MessageOut(_Out):
    """What the identity token says about the message being answered."""

    channel: str
    confirmed: bool = Field(
        description="the message is a side-effect button the gateway issued in this "
        "conversation; by SMS, side effects are refused without it (403 confirmation_required)"
    )


class MeOut(UserOut):
    """The caller's profile, with their permissions."""

    permissions: Permissions
    message: MessageOut


class StoreOut(_Out):
    """A store: location and brand."""

    location: str
    brand: str


class NextStepOut(_Out):
    """What fixes a broken account and whether the caller may do it."""

    kind: Literal["reconnect", "portal_steps"]
    summary: str
    allowed: bool
    check_allowed: bool
    who_can: list[str]
    steps: list[str]
    contact: str | None
    guide_last_verified: date | None
    guide_stale: bool


class BrokenOut(_Out):
    """One account's disconnected stores sharing an error."""

    account_id: str
    provider: str
    label: str
    error_type: str
    error_case: str | None
    problem: str
    since: datetime
    stores: list[StoreOut]
    next_step: NextStepOut
    requested_by: list[str]  # users with an open repair request for this account


class WorkingOut(_Out):
    """An account with no disconnected store in the filter."""

    account_id: str
    provider: str
    label: str
    state: Literal["active", "connected"]
    stores: list[StoreOut]


class FiltersOut(_Out):
    """The filters applied, canonically spelled."""

    provider: str | None
    location: str | None


class StatusOut(_Out):
    """Integration status of the caller's organization."""

    organization: str
    filters: FiltersOut
    broken: list[BrokenOut]
    working: list[WorkingOut]


class ErrorDetail(_Out):
    """The ``detail`` of an error answer."""

    code: str
    value: str | None = None
    valid: list[str] | None = None  # for unknown_provider / unknown_location
    who_can: list[str] | None = None  # for not_allowed: who may manage integrations
    locked_until: datetime | None = None  # for locked: when pairing is possible again


class ErrorOut(_Out):
    """An error answer: ``{"detail": {"code": ..., ...}}``."""

    detail: ErrorDetail
