"""Request and response bodies of the repair endpoints (docs/repair-contract.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.platform.api.schemas import BrokenOut, StoreOut
from bot.platform.models import PAIRING_OUTCOMES, PAIRING_STATES


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PairingIn(BaseModel):
    """Start a pairing: which account, and the language of the pairing page."""

    account_id: str = Field(min_length=1, max_length=64)
    lang: str = "en"


class LangIn(BaseModel):
    """A request that only says which language to answer in."""

    lang: str = "en"


# One source of truth: the states and outcomes the model's CHECK constraints allow.
PairingState = Literal[PAIRING_STATES]  # type: ignore[valid-type]
PairingOutcome = Literal[PAIRING_OUTCOMES]  # type: ignore[valid-type]


class PairingOut(_Out):
    """A pairing as its creator sees it."""

    pairing_id: str
    account_id: str
    account: str = Field(description="the account's label")
    provider: str = Field(description="the provider's display name")
    state: PairingState
    outcome: PairingOutcome
    asks_code: bool = Field(
        description="the provider asks for a 2FA/MFA code for this account (or is waiting for one)"
    )
    attempts_left: int = Field(description="wrong codes left before the account's pairing locks")
    locked_until: datetime | None
    expires_at: datetime
    stores: list[StoreOut]
    broken: list[BrokenOut] = Field(description="the account's broken entries after the pairing")


class StartedPairingOut(PairingOut):
    """A new pairing, with its one-time link (given only here)."""

    url: str


class CheckOut(_Out):
    """The check after "I've completed these steps"."""

    outcome: Literal["resolved", "not_resolved", "new_error"]
    account_id: str
    account: str
    provider: str
    stores: list[StoreOut]
    broken: list[BrokenOut]


class DeferOut(_Out):
    """ "I'll do this later" was recorded."""

    account_id: str
    account: str


class RequestOut(DeferOut):
    """A repair request was recorded; ``notified``: who may fix it."""

    notified: list[str]


class CodeIn(BaseModel):
    """A 2FA/MFA code a user typed in the chat, handed over by the gateway."""

    user_id: int
    conversation_id: str = Field(max_length=200)
    code: str = Field(max_length=64)


class CodeOut(_Out):
    """What the provider made of a code typed in the chat."""

    pairing_id: str
    outcome: Literal["succeeded", "new_error", "code_rejected", "locked", "provider_error"]
    # what the gateway triggers in Rasa next: the repair's update, or the onboarding's
    # when the pairing signs in an onboarding's new account
    continue_intent: Literal["repair_pairing_update", "onboarding_update"] = "repair_pairing_update"
    entities: dict[str, str] = {"pairing_event": "code_submitted"}


class InjectionIn(BaseModel):
    """A sandbox failure injection (consumed first-in first-out)."""

    on: Literal["pairing", "check"]
    error_type: str | None = None
    error_case: str | None = None


class SandboxIn(BaseModel):
    """Sandbox settings for one account (any field may be left out)."""

    password: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=64)
    inject: list[InjectionIn] | None = None


class InjectionOut(_Out):
    """A queued injection."""

    on: Literal["pairing", "check"]
    error_type: str | None
    error_case: str | None


class SandboxOut(_Out):
    """An account's sandbox state (never the password or the code)."""

    account_id: str
    password_set: bool
    code_set: bool
    injections: list[InjectionOut]


class SandboxResetOut(_Out):
    """The account's sandbox state was forgotten."""

    account_id: str
    reset: bool


class DemoResetOut(_Out):
    """The demo's repair state was put back."""

    restored_links: int
