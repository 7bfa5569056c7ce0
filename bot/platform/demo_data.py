"""The demo's rows, exactly as ``/work/shared/DEMO.md`` lists them (data only).

:mod:`bot.platform.demo` loads them and :mod:`bot.platform.demo_restore` puts the
changeable ones (store links, orders, OTO settings) back.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

TIMEZONE = "America/New_York"
DISCONNECTED_FOR = timedelta(hours=2)
"""Disconnected demo links are dated this long before the load."""

# (name, email, phone, language, manage integrations, cancel orders, SMS alerts, e-mail alerts)
USERS = {
    "Demo Kitchen Group": [
        ("Olivia Owner", "olivia@demo-kitchen.test", "+15550000001", "en",
         True, True, True, True),
        ("Marc Manager", "marc@demo-kitchen.test", "+15550000002", "fr",
         False, True, False, True),
        ("Sofia Staff", "sofia@demo-kitchen.test", "+15550000003", "es",
         False, False, False, False),
    ],
    "Harbor Pizza": [
        ("Hank Harbor", "hank@harbor-pizza.test", "+15550000009", "en",
         True, True, True, False),
    ],
}  # fmt: skip
# organization -> location -> (has a POS device, brands sold there)
LOCATIONS = {
    "Demo Kitchen Group": {
        "Downtown": (True, ["Burger Barn", "Taco Town"]),
        "Airport": (False, ["Burger Barn"]),
        "Riverside": (False, ["Taco Town"]),
    },
    "Harbor Pizza": {"Harbor": (False, ["Harbor Pizza"])},
}
# (organization, id, provider key, label, login, asks 2FA)
ACCOUNTS = [
    ("Demo Kitchen Group", "ue-main", "uber_eats", "Uber Eats — main",
     "ubereats@demo-kitchen.test", False),
    ("Demo Kitchen Group", "dd-main", "doordash", "DoorDash — main",
     "doordash@demo-kitchen.test", True),
    ("Demo Kitchen Group", "dd-river", "doordash", "DoorDash — Riverside",
     "doordash-riverside@demo-kitchen.test", True),
    ("Demo Kitchen Group", "gh-main", "grubhub", "Grubhub — main",
     "grubhub@demo-kitchen.test", False),
    ("Demo Kitchen Group", "dr-river", "deliveroo", "Deliveroo — Riverside",
     "deliveroo@demo-kitchen.test", False),
    ("Demo Kitchen Group", "ue-river", "uber_eats", "Uber Eats — Riverside",
     "ubereats-riverside@demo-kitchen.test", False),
    ("Demo Kitchen Group", "gl-main", "glovo", "Glovo — main",
     "glovo@demo-kitchen.test", True),
    ("Demo Kitchen Group", "je-main", "just_eat", "Just Eat — main",
     "justeat@demo-kitchen.test", False),
    ("Harbor Pizza", "hp-ue", "uber_eats", "Uber Eats — Harbor",
     "ubereats@harbor-pizza.test", False),
]  # fmt: skip
_ISC = "invalid_store_configuration"
# (account id, [(location, brand)], state, passed QA, activated, error type, error case)
LINKS = [
    ("ue-main", [("Downtown", "Burger Barn"), ("Airport", "Burger Barn")],
     "disconnected", True, True, "invalid_credentials", None),
    ("dd-main", [("Downtown", "Burger Barn"), ("Downtown", "Taco Town")],
     "disconnected", True, True, "two_factor_required", None),
    ("dd-river", [("Riverside", "Taco Town")], "connected", True, False, None, None),
    ("gh-main", [("Airport", "Burger Barn")], "active", True, True, None, None),
    ("dr-river", [("Riverside", "Taco Town")],
     "disconnected", True, True, _ISC, "inactive_restaurant"),
    ("ue-river", [("Riverside", "Taco Town")],
     "disconnected", True, True, _ISC, "non_traditional_login"),
    ("gl-main", [("Downtown", "Taco Town")],
     "disconnected", True, True, "third_party_blocked", None),
    ("je-main", [("Downtown", "Burger Barn")], "active", True, True, None, None),
    ("hp-ue", [("Harbor", "Harbor Pizza")],
     "disconnected", True, True, "invalid_credentials", None),
]  # fmt: skip

# (organization, location, brand) -> ([(item name, price in cents)], [(day, opens, closes)])
# Days 0 (Monday) to 6 (Sunday); opening times in minutes from midnight, local time.
MENUS = {
    ("Demo Kitchen Group", "Riverside", "Taco Town"): (
        [("Carne Asada Taco", 450), ("Chicken Burrito", 1095), ("Chips & Guacamole", 595)],
        [(day, 11 * 60, 22 * 60) for day in range(7)],
    ),
    ("Demo Kitchen Group", "Airport", "Burger Barn"): (
        [("Classic Burger", 1095), ("Cheeseburger", 1195), ("Fries", 395)],
        [],
    ),
}
# (organization, order, provider key, location, brand, status, placed this many minutes ago)
ORDERS = [
    ("Demo Kitchen Group", "DD-1001", "doordash", "Downtown", "Burger Barn", "preparing", 12),
    ("Demo Kitchen Group", "UE-2002", "uber_eats", "Airport", "Burger Barn", "ready", 25),
    ("Demo Kitchen Group", "GH-3003", "grubhub", "Airport", "Burger Barn", "delivered", 90),
    ("Demo Kitchen Group", "PM-6006", "postmates", "Downtown", "Taco Town", "accepted", 5),
    ("Demo Kitchen Group", "SK-4004", "skipthedishes", "Downtown", "Burger Barn", "preparing",
     18),
    ("Demo Kitchen Group", "CN-5005", "chownow", "Riverside", "Taco Town", "accepted", 8),
    ("Harbor Pizza", "HP-9001", "uber_eats", "Harbor", "Harbor Pizza", "preparing", 10),
]  # fmt: skip

OTO_DEMO_RETAILER_ID = "OTO-DEMO-1"
"""The retailer id the sandbox OTO adapter accepts (with :data:`OTO_DEMO_TOKEN` only)."""
OTO_DEMO_TOKEN = "oto-demo-token"  # noqa: S105 - the sandbox's documented demo token
"""The token the sandbox OTO adapter accepts; never stored in clear (SecretsBox)."""
OTO_DEMO_CURRENCY = "SAR"
# organization -> {branch (location): active for OTO}
OTO_BRANCHES = {
    "Demo Kitchen Group": {"Downtown": True, "Riverside": True, "Airport": False},
}
# (organization, order, branch, type, customer, delivery address, kitchen status,
#  cashier still on it, sent to OTO, placed this many minutes ago)
DISPATCH_ORDERS = [
    ("Demo Kitchen Group", "F-7001", "Downtown", "delivery", True, True, "ready", False, True, 40),
    ("Demo Kitchen Group", "F-7002", "Downtown", "delivery", True, False, "ready", False, False,
     35),
    ("Demo Kitchen Group", "F-7003", "Downtown", "pickup", True, True, "ready", False, False, 30),
    ("Demo Kitchen Group", "F-7004", "Airport", "delivery", True, True, "ready", False, False, 25),
    ("Demo Kitchen Group", "F-7005", "Riverside", "delivery", True, True, "not_sent", False,
     False, 20),
    ("Demo Kitchen Group", "F-7006", "Riverside", "delivery", True, True, "ready", True, False,
     15),
]  # fmt: skip


def minutes_before(now: datetime, minutes: int) -> datetime:
    """``now`` (UTC, whole seconds) less ``minutes``: when a demo order was placed."""
    return now.astimezone(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes)
