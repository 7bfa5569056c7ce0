"""What pairing and the store-configuration check share: access rules and link updates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.platform.models import ProviderAccount, RepairRequest, StoreLink, User
from bot.platform.providers.adapter import AccountRef, ConnectionCheck
from bot.platform.providers.catalog import Catalog, get_catalog
from bot.platform.services.audit import record_audit
from bot.platform.services.errors import Forbidden, NotAllowed
from bot.platform.services.link_health import mark_connected, mark_disconnected
from bot.platform.services.status import BrokenAccount, StoreRef, integration_status
from bot.platform.services.users import integration_managers

STORE_CONFIGURATION = "invalid_store_configuration"


def load_account(
    session: Session, user: User, account_id: str, *, for_update: bool = False
) -> ProviderAccount:
    """The caller's organization's account ``account_id``.

    Args:
        session: An open session.
        user: The caller.
        account_id: The account's id.
        for_update: Lock the account's row until the transaction ends (PostgreSQL).

    Raises:
        Forbidden: The account is unknown or belongs to another organization (one
            answer for both: no existence oracle).
    """
    account = session.get(ProviderAccount, account_id, with_for_update=for_update or None)
    if account is None or account.organization_id != user.organization_id:
        raise Forbidden()
    return account


def require_manager(session: Session, user: User) -> None:
    """Let only users who may manage integrations through.

    Raises:
        NotAllowed: With the names of the organization's integration managers.
    """
    if not user.can_manage_integrations:
        raise NotAllowed(integration_managers(session, user.organization_id))


def disconnected_links(account: ProviderAccount) -> list[StoreLink]:
    """The account's disconnected store links, in id order."""
    return sorted((link for link in account.links if link.state == "disconnected"), key=_by_id)


def account_ref(account: ProviderAccount, links: Iterable[StoreLink] | None = None) -> AccountRef:
    """The adapter's view of ``account``; its error is the first of ``links`` (default: all)."""
    chosen = sorted(links if links is not None else disconnected_links(account), key=_by_id)
    first = chosen[0] if chosen else None
    return AccountRef(
        id=account.id,
        provider_key=account.provider_key,
        login=account.login,
        asks_2fa=account.asks_2fa,
        error_type=first.error_type if first else None,
        error_case=first.error_case if first else None,
    )


def account_stores(account: ProviderAccount) -> list[StoreRef]:
    """Every store of the account (location, brand), sorted."""
    refs = {StoreRef(link.store.location.name, link.store.brand.name) for link in account.links}
    return sorted(refs, key=lambda ref: (ref.location.casefold(), ref.brand.casefold()))


def stores_detail(account: ProviderAccount) -> list[str]:
    """The account's stores as "Location / Brand" texts, for the audit log."""
    return [f"{ref.location} / {ref.brand}" for ref in account_stores(account)]


def audit_account(
    session: Session,
    account: ProviderAccount,
    user_id: int,
    action: str,
    *,
    pairing_id: str | None = None,
    **detail: Any,
) -> None:
    """Audit-log ``action`` on ``account``: its id, label and stores, then ``detail``.

    Args:
        session: An open session (not committed here).
        account: The account acted on.
        user_id: Who acted.
        action: The audit action, e.g. ``repair.check``.
        pairing_id: The pairing the action belongs to (first in the detail), if any.
        detail: More detail (never a secret).
    """
    head = {"pairing_id": pairing_id} if pairing_id is not None else {}
    record_audit(
        session,
        organization_id=account.organization_id,
        user_id=user_id,
        action=action,
        detail={
            **head,
            "account_id": account.id,
            "account": account.label,
            "stores": stores_detail(account),
            **detail,
        },
    )


def apply_connection(
    session: Session, account: ProviderAccount, check: ConnectionCheck, now: datetime
) -> None:
    """Record a provider's connection answer on every store link of the account.

    Connected: each link becomes ``active`` when it was activated (else ``connected``),
    its error is cleared and its state dates from ``now``; the account's open repair
    requests are closed. An error: each link becomes ``disconnected`` with that error
    type and case, dating from ``now`` when the error changed. Both go through
    :mod:`~bot.platform.services.link_health` (incidents and live alerts).
    """
    for link in account.links:
        if check.connected:
            mark_connected(session, link, now)
        else:
            mark_disconnected(session, link, check.error_type or "", check.error_case, now)
    if check.connected:
        session.execute(
            update(RepairRequest)
            .where(RepairRequest.account_id == account.id, RepairRequest.closed_at.is_(None))
            .values(closed_at=now)
        )
    session.flush()


def broken_entries(
    session: Session, user: User, account_id: str, lang: str, now: datetime
) -> list[BrokenAccount]:
    """The status answer's broken entries of one account, as ``user`` sees them."""
    report = integration_status(session, user, lang=lang, now=now)
    return [entry for entry in report.broken if entry.account_id == account_id]


def provider_name(account: ProviderAccount, catalog: Catalog | None = None) -> str:
    """The display name of the account's provider."""
    info = (catalog or get_catalog()).provider(account.provider_key)
    return info.name if info else account.provider.name


def problem_text(
    account: ProviderAccount, error_type: str, error_case: str | None, lang: str
) -> str:
    """What an error means, in plain words, in ``lang`` (the catalog's wording)."""
    catalog = get_catalog()
    name = provider_name(account, catalog)
    guide = catalog.guide(account.provider_key, error_case)
    if guide is not None and guide.error_type == error_type:
        return guide.problem.get(lang, provider=name)
    error = catalog.error_types.get(error_type)
    return error.problem.get(lang, provider=name) if error else error_type


def _by_id(link: StoreLink) -> int:
    return link.id
