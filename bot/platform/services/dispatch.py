"""Dispatch diagnosis: why a cashier order was (not) sent to OTO, and what fixes it.

The conditions are the OTO guide's (``dispatch_texts.yml``), checked in its order: the
branch is active for OTO, it is a delivery order, it has a customer with a delivery
address, it is marked Ready (which needs it sent to the kitchen first), and no cashier
still has it open. Everything is limited to the caller's organization: an order of
another organization and an unknown one get the same :class:`Forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from bot.platform.languages import LANGUAGES, normalize_language
from bot.platform.models import DispatchBranch, DispatchIntegration, DispatchOrder, User
from bot.platform.services.errors import Forbidden

TEXTS_PATH = Path(__file__).with_name("dispatch_texts.yml")

REASON_CODES: tuple[str, ...] = (
    "branch_inactive",
    "not_delivery",
    "no_customer",
    "no_delivery_address",
    "not_ready_not_in_kitchen",
    "not_ready",
    "cashier_open",
    "integration_not_set_up",
)
"""The failing conditions' codes, in the order the OTO guide lists the conditions."""

PROVIDER = "oto"


@dataclass(frozen=True)
class DispatchReason:
    """One condition the order fails, with what fixes it (texts in the asked language)."""

    code: str
    problem: str
    fix: str


@dataclass(frozen=True)
class DispatchDiagnosis:
    """Whether an order was sent to OTO and, when not, every condition it fails."""

    order: str  # the order's reference as stored, e.g. "F-7002"
    branch: str  # the order's location name
    sent: bool
    reasons: list[DispatchReason]  # empty when sent


@dataclass(frozen=True)
class _Text:
    problem: dict[str, str]
    fix: dict[str, str]


class DispatchTextsError(ValueError):
    """``dispatch_texts.yml`` lacks a condition, a text or a language."""


@lru_cache(maxsize=4)
def load_texts(path: Path = TEXTS_PATH) -> dict[str, _Text]:
    """Read and check the conditions' texts at ``path`` (cached per path).

    Raises:
        DispatchTextsError: A condition of :data:`REASON_CODES`, or one of its texts in
            a language of :data:`LANGUAGES`, is missing.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    conditions = raw.get("conditions") or {}
    texts: dict[str, _Text] = {}
    for code in REASON_CODES:
        entry = conditions.get(code)
        if not isinstance(entry, dict):
            raise DispatchTextsError(f"{path.name}: no texts for {code!r}")
        parts: dict[str, dict[str, str]] = {}
        for part in ("problem", "fix"):
            by_lang = entry.get(part) or {}
            missing = [lang for lang in LANGUAGES if not by_lang.get(lang)]
            if missing:
                raise DispatchTextsError(f"{path.name}: {code}.{part} lacks {missing}")
            parts[part] = {lang: str(by_lang[lang]) for lang in LANGUAGES}
        texts[code] = _Text(problem=parts["problem"], fix=parts["fix"])
    return texts


def diagnose_dispatch(
    session: Session, user: User, order_ref: str, lang: str | None = None
) -> DispatchDiagnosis:
    """Why the order ``order_ref`` of ``user``'s organization was or was not sent to OTO.

    Args:
        session: An open session.
        user: The caller; only their organization's orders are looked at.
        order_ref: The order's reference, any case (``"f-7002"`` finds ``F-7002``).
        lang: The language of the texts (``en``, ``fr``, ``es``; others fall back to ``en``).

    Returns:
        The order, its branch, whether it was sent, and, when it was not, each failing
        condition in the guide's order with its problem and fix. The integration's
        setup (``integration_not_set_up``) is named when the organization has no OTO
        integration, or when missing credentials are all that held the order back.

    Raises:
        Forbidden: The order is another organization's, or unknown (one answer for both).
    """
    lang = normalize_language(lang)
    order = _find_order(session, user.organization_id, order_ref)
    if order is None:
        raise Forbidden(order_ref)
    branch = order.location.name
    if order.sent_to_oto:
        return DispatchDiagnosis(order=order.external_id, branch=branch, sent=True, reasons=[])

    integration = session.scalars(
        select(DispatchIntegration).where(
            DispatchIntegration.organization_id == user.organization_id,
            DispatchIntegration.provider == PROVIDER,
        )
    ).one_or_none()
    codes = _failing_conditions(session, order, integration)
    texts = load_texts()
    reasons = [
        DispatchReason(
            code=code,
            problem=texts[code].problem[lang].format(branch=branch),
            fix=texts[code].fix[lang].format(branch=branch),
        )
        for code in codes
    ]
    return DispatchDiagnosis(order=order.external_id, branch=branch, sent=False, reasons=reasons)


def _find_order(session: Session, org_id: int, order_ref: str) -> DispatchOrder | None:
    ref = (order_ref or "").strip().upper()
    if not ref:
        return None
    statement = (
        select(DispatchOrder)
        .where(
            DispatchOrder.organization_id == org_id,
            func.upper(DispatchOrder.external_id) == ref,
        )
        .options(joinedload(DispatchOrder.location))
    )
    order = session.scalars(statement).first()
    # Both sides are checked: the order and its branch belong to the caller's organization.
    if order is None or order.location.organization_id != org_id:
        return None
    return order


def _failing_conditions(
    session: Session, order: DispatchOrder, integration: DispatchIntegration | None
) -> list[str]:
    """The codes of the conditions ``order`` fails, in :data:`REASON_CODES` order."""
    codes: list[str] = []
    if not _branch_active(session, order, integration):
        codes.append("branch_inactive")
    if order.order_type != "delivery":
        codes.append("not_delivery")
    if not order.has_customer:
        codes.append("no_customer")  # its fix adds the delivery address too
    elif not order.has_delivery_address:
        codes.append("no_delivery_address")
    if order.kitchen_status == "not_sent":
        codes.append("not_ready_not_in_kitchen")
    elif order.kitchen_status != "ready":
        codes.append("not_ready")
    if order.cashier_open:
        codes.append("cashier_open")
    if integration is None or (not codes and not integration.has_credentials):
        codes.append("integration_not_set_up")
    return codes


def _branch_active(
    session: Session, order: DispatchOrder, integration: DispatchIntegration | None
) -> bool:
    """Whether the order's branch is marked Active for OTO (no setting: inactive)."""
    if integration is None:
        return False
    active = session.scalars(
        select(DispatchBranch.active).where(
            DispatchBranch.integration_id == integration.id,
            DispatchBranch.location_id == order.location_id,
        )
    ).one_or_none()
    return bool(active)
