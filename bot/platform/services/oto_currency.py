"""ISO 4217 currency codes for OTO's cash on delivery (pycountry's ISO 4217 data).

OTO's guide: "Enter the currency that will be used when sending orders to OTO so OTO can
know which currency to collect from customer if order is to be paid on delivery — e.g.
use SAR for Saudi Arabian Riyal." A code is accepted when ISO 4217 lists it as a
currency customers can pay with: the codes for no currency, testing, precious metals,
bond-market units, special drawing rights and funds are refused.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from bot.platform.languages import normalize_language

NOT_PAYABLE: frozenset[str] = frozenset(
    {
        # no currency, testing
        "XXX", "XTS",
        # precious metals
        "XAU", "XAG", "XPD", "XPT",
        # bond-market units, special drawing rights, SUCRE, ADB unit of account
        "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA",
        # funds (accounting units, not cash)
        "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
    }
)  # fmt: skip
"""ISO 4217 codes that are not money a customer pays a courier with."""

_CODE = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class Currency:
    """An ISO 4217 currency: its code and its name in the asked language."""

    code: str
    name: str


class InvalidCurrency(ValueError):
    """Not an ISO 4217 code of a currency customers can pay with."""


def find_currency(value: str | None, lang: str | None = None) -> Currency:
    """The ISO 4217 currency ``value`` names (any case, surrounding spaces ignored).

    Args:
        value: A three-letter code, e.g. ``"sar"``.
        lang: The language of the currency's name (``en``, ``fr``, ``es``).

    Raises:
        InvalidCurrency: ``value`` is not such a code.
    """
    code = (value or "").strip().upper()
    if not _CODE.fullmatch(code) or code in NOT_PAYABLE:
        raise InvalidCurrency(code)
    record = pycountry.currencies.get(alpha_3=code)
    if record is None:
        raise InvalidCurrency(code)
    return Currency(code=code, name=_translator(normalize_language(lang)).gettext(record.name))


@lru_cache(maxsize=8)
def _translator(lang: str) -> gettext.NullTranslations:
    """pycountry's translations of ISO 4217 names into ``lang`` (English: none needed)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
