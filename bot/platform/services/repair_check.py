"""Store-configuration repairs: the check after "I've completed these steps", "I'll do this
later", and asking the integration managers to fix an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.platform.languages import normalize_language
from bot.platform.models import RepairRequest, User, utcnow
from bot.platform.providers.adapter import ProviderAdapter
from bot.platform.providers.registry import adapter_for
from bot.platform.services.errors import NotPortalSteps
from bot.platform.services.repair_accounts import (
    STORE_CONFIGURATION,
    account_ref,
    account_stores,
    apply_connection,
    audit_account,
    broken_entries,
    disconnected_links,
    load_account,
    provider_name,
    require_manager,
)
from bot.platform.services.status import BrokenAccount, StoreRef
from bot.platform.services.users import integration_managers


@dataclass(frozen=True)
class CheckResult:
    """What the check after the portal steps found.

    ``outcome``: ``resolved`` (the stores are back), ``not_resolved`` (the same error
    remains) or ``new_error`` (another error now, e.g. one that needs a reconnect).
    """

    outcome: str
    account_id: str
    account: str
    provider: str
    stores: list[StoreRef]
    broken: list[BrokenAccount]


@dataclass(frozen=True)
class AccountAck:
    """The answer to "I'll do this later" and to a repair request."""

    account_id: str
    account: str
    notified: list[str]


def check_after_steps(
    session: Session,
    settings: Settings,
    user: User,
    account_id: str,
    lang: str | None,
    *,
    adapter: ProviderAdapter | None = None,
    now: datetime | None = None,
) -> CheckResult:
    """Ask the provider whether the store-configuration error is fixed, and record it.

    Raises:
        Forbidden: Unknown account or another organization's.
        NotAllowed: The caller may not manage integrations.
        NotPortalSteps: The account has no store-configuration error.
    """
    now = now or utcnow()
    lang = normalize_language(lang or user.language)
    account = load_account(session, user, account_id, for_update=True)
    require_manager(session, user)
    configuration = [
        link for link in disconnected_links(account) if link.error_type == STORE_CONFIGURATION
    ]
    if not configuration:
        raise NotPortalSteps(account_id)
    before = (configuration[0].error_type, configuration[0].error_case)
    adapter = adapter or adapter_for(session, settings, account.provider_key)
    check = adapter.check_connection(account_ref(account, configuration), "check")
    if check.connected:
        outcome = "resolved"
    elif (check.error_type, check.error_case) == before:
        outcome = "not_resolved"
    else:
        outcome = "new_error"
    apply_connection(session, account, check, now)
    audit_account(
        session,
        account,
        user.id,
        "repair.check",
        before={"error_type": before[0], "error_case": before[1]},
        result=outcome,
        error_type=check.error_type,
        error_case=check.error_case,
    )
    session.commit()
    return CheckResult(
        outcome=outcome,
        account_id=account.id,
        account=account.label,
        provider=provider_name(account),
        stores=account_stores(account),
        broken=broken_entries(session, user, account.id, lang, now),
    )


def defer_repair(session: Session, user: User, account_id: str) -> AccountAck:
    """Record "I'll do this later" (audit only; the account keeps showing as broken).

    Raises:
        Forbidden: Unknown account or another organization's.
    """
    account = load_account(session, user, account_id)
    audit_account(session, account, user.id, "repair.deferred")
    session.commit()
    return AccountAck(account_id=account.id, account=account.label, notified=[])


def request_repair(
    session: Session, user: User, account_id: str, *, now: datetime | None = None
) -> AccountAck:
    """Ask the organization's integration managers to fix the account.

    One open request per user and account (asking again keeps the first); it shows in
    the status answer's ``requested_by`` until the account is fixed.

    Raises:
        Forbidden: Unknown account or another organization's.
    """
    now = now or utcnow()
    account = load_account(session, user, account_id)
    managers = integration_managers(session, account.organization_id)
    existing = session.scalars(
        select(RepairRequest).where(
            RepairRequest.account_id == account.id,
            RepairRequest.requested_by == user.id,
            RepairRequest.closed_at.is_(None),
        )
    ).first()
    if existing is None:
        session.add(
            RepairRequest(
                organization_id=account.organization_id,
                account_id=account.id,
                requested_by=user.id,
                created_at=now,
            )
        )
    audit_account(
        session,
        account,
        user.id,
        "repair.requested",
        notified=managers,
        repeated=existing is not None,
    )
    session.commit()
    return AccountAck(account_id=account.id, account=account.label, notified=managers)
