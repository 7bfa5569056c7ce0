"""Live orders as cancellation sees them: who may cancel, which order, and whether it can be.

The checks come in the order of the cancellation guide: the caller may cancel orders;
the order belongs to their organization (an order of another organization and an
unknown one get the same :class:`Forbidden`, so order numbers are never confirmed); it
is not delivered or fulfilled yet (nor already cancelled); its provider cancels through
us (else the provider's cancellation phone number from the catalog).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from bot.platform.languages import normalize_language
from bot.platform.models import LiveOrder, Store, User
from bot.platform.providers.catalog import Catalog, get_catalog
from bot.platform.services.errors import Forbidden, NotAllowed, ServiceError, UnknownProvider
from bot.platform.services.users import users_allowed

LIVE_STATUSES: tuple[str, ...] = ("accepted", "preparing", "ready")
"""Statuses of an order that can still be cancelled."""
MAX_REF_CHARS = 40
MAX_LIST = 20


class UnknownReason(ServiceError):
    """The reason is not one of the provider's cancellation reasons (``valid`` lists them)."""

    code = "unknown_reason"


@dataclass(frozen=True)
class Reason:
    """A cancellation reason of the provider: its key and its label in the asked language."""

    key: str
    label: str


@dataclass(frozen=True)
class OrderView:
    """A live order's summary and whether (and how) it can be cancelled through us.

    ``refusal`` is ``None`` when it can be cancelled, else ``delivered``, ``fulfilled``,
    ``cancelled`` (already) or ``not_supported`` (the provider cancels only by phone:
    ``phone`` is its number). ``placed_at`` is in the location's time zone.
    """

    ref: str
    provider: str
    provider_key: str
    location: str
    brand: str
    status: str
    placed_at: datetime
    timezone: str
    refusal: str | None
    phone: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    cancel_reason: Reason | None = None
    cancelled_at: datetime | None = None
    removed_from_active: bool = False

    @property
    def cancellable(self) -> bool:
        """Whether the order can be cancelled through us now."""
        return self.refusal is None


def order_cancellers(session: Session, organization_id: int) -> list[str]:
    """Names of the organization's users who may cancel orders, sorted."""
    return users_allowed(session, organization_id, User.can_cancel_orders)


def require_canceller(session: Session, user: User) -> None:
    """Let only users who may cancel orders through.

    Raises:
        NotAllowed: With the names of the organization's users who may.
    """
    if not user.can_cancel_orders:
        raise NotAllowed(order_cancellers(session, user.organization_id))


def _organization_orders(user: User) -> Select[tuple[LiveOrder]]:
    """The caller's organization's orders, with their store's location and brand."""
    return (
        select(LiveOrder)
        .options(joinedload(LiveOrder.store).joinedload(Store.location))
        .options(joinedload(LiveOrder.store).joinedload(Store.brand))
        .where(LiveOrder.organization_id == user.organization_id)
    )


def load_order(session: Session, user: User, ref: str, *, for_update: bool = False) -> LiveOrder:
    """The live order ``ref`` (any case) of the caller's organization.

    Raises:
        Forbidden: The order is unknown or another organization's (one answer for both).
    """
    wanted = (ref or "").strip().upper()[:MAX_REF_CHARS]
    statement = _organization_orders(user).where(func.upper(LiveOrder.external_id) == wanted)
    if for_update:
        statement = statement.with_for_update()
    order = session.scalars(statement).first() if wanted else None
    if order is None:
        raise Forbidden(ref)
    return order


def refusal(catalog: Catalog, order: LiveOrder) -> str | None:
    """Why ``order`` cannot be cancelled through us (``None``: it can), in the guide's order."""
    if order.status in ("delivered", "fulfilled", "cancelled"):
        return order.status
    info = catalog.provider(order.provider_key)
    if info is None or not info.cancel_via_us:
        return "not_supported"
    return None


def describe(catalog: Catalog, order: LiveOrder, lang: str | None) -> OrderView:
    """The order's summary and cancellability, texts in ``lang``."""
    lang = normalize_language(lang)
    info = catalog.provider(order.provider_key)
    why = refusal(catalog, order)
    labels = dict(catalog.cancel_reasons(order.provider_key))
    phone = info.phone("cancellation") if info else None
    reason = None
    if order.cancel_reason:
        label = labels.get(order.cancel_reason) or catalog.reasons.get(order.cancel_reason)
        reason = Reason(order.cancel_reason, label.get(lang) if label else order.cancel_reason)
    zone = _zone(order.store.location.timezone)
    return OrderView(
        ref=order.external_id,
        provider=info.name if info else order.provider_key,
        provider_key=order.provider_key,
        location=order.store.location.name,
        brand=order.store.brand.name,
        status=order.status,
        placed_at=_aware(order.placed_at).astimezone(zone),
        timezone=order.store.location.timezone,
        refusal=why,
        phone=phone.display(lang) if phone and why == "not_supported" else None,
        reasons=[Reason(key, text.get(lang)) for key, text in labels.items()] if not why else [],
        cancel_reason=reason,
        cancelled_at=_aware(order.cancelled_at).astimezone(zone) if order.cancelled_at else None,
        removed_from_active=order.removed_from_active,
    )


def order_view(session: Session, user: User, ref: str, lang: str | None = None) -> OrderView:
    """The caller's order ``ref``: its summary, whether it can be cancelled, and the reasons.

    Raises:
        NotAllowed: The caller may not cancel orders (``who_can``).
        Forbidden: The order is unknown or another organization's.
    """
    require_canceller(session, user)
    order = load_order(session, user, ref)
    return describe(get_catalog(), order, lang or user.language)


def recent_orders(
    session: Session,
    user: User,
    *,
    provider: str | None = None,
    limit: int = 5,
    lang: str | None = None,
) -> tuple[str | None, list[OrderView]]:
    """The caller's organization's live orders that are not finished, newest first.

    Args:
        session: An open session.
        user: The caller.
        provider: A provider's name or alias to keep only its orders.
        limit: At most this many orders (1 to :data:`MAX_LIST`).
        lang: The language of the texts.

    Returns:
        The provider filter's display name (``None`` without one) and the orders.

    Raises:
        NotAllowed: The caller may not cancel orders (``who_can``).
        UnknownProvider: ``provider`` names no catalog provider.
    """
    require_canceller(session, user)
    catalog = get_catalog()
    info = None
    if provider:
        info = catalog.find_provider(provider)
        if info is None:
            raise UnknownProvider(provider, [p.name for p in catalog.providers])
    statement = (
        _organization_orders(user)
        .where(LiveOrder.status.in_(LIVE_STATUSES))
        .order_by(LiveOrder.placed_at.desc(), LiveOrder.id.desc())
        .limit(max(1, min(int(limit), MAX_LIST)))
    )
    if info is not None:
        statement = statement.where(LiveOrder.provider_key == info.key)
    orders = session.scalars(statement).unique().all()
    views = [describe(catalog, order, lang or user.language) for order in orders]
    return (info.name if info else None), views


def _zone(name: str) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
