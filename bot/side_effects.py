"""The intents whose buttons have side effects, shared by the gateway and the actions.

The gateway issues one-time button ids for them (a second press is never the payload
again; by SMS the button is a random code to type back, never a number). The actions
ask an SMS sender for that code before acting on one of them typed as text, and the
platform refuses a side effect by SMS without it (403 ``confirmation_required``).
"""

from __future__ import annotations

ONE_TIME_INTENTS = frozenset(
    {
        "repair_reconnect",
        "repair_steps_done",
        "repair_notify_managers",
        "cancel_order_confirm",
        "cancel_order_remove",
        "activation_confirm",
        "onboarding_start",
        "onboarding_stores",
        "menu_export_retry",
        "oto_setup_start",
        "oto_currency_confirm",
        "oto_branch_confirm",
        "alerts_on",
        "alerts_off",
    }
)
"""Buttons with side effects: their ids are used once."""

CONFIRMED_INTENTS = ONE_TIME_INTENTS - {
    "repair_steps_done",
    "repair_notify_managers",
    "cancel_order_remove",
}
"""Intents that reach a provider or change settings: by SMS, only a confirmed message
(the one-time code the bot sent) may carry them out."""

CONFIRMED_CHANNELS = frozenset({"sms"})
"""Channels whose sender id can be spoofed."""
