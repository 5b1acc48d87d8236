"""Amounts of money as readers of each language write them, in the organization's currency:
« 25,00 $ » and « 25,00 € » in French, "$25.00" and "€25.00" in English."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format

#: Currency symbols; a currency without one is written with its code (« 25,00 CHF »).
SYMBOLS = {"CAD": "$", "EUR": "€"}
#: Languages that write the symbol before the amount, without a space.
SYMBOL_FIRST = {"en"}


def format_money(amount: Decimal | int | float | None, currency: str, language: str | None = None):
    """``amount`` with two decimals, grouped thousands and the currency's symbol, placed as
    ``language`` (the active one by default) places it. ``""`` for no amount."""
    if amount is None or amount == "":
        return ""
    language = (language or translation.get_language() or "fr").split("-")[0]
    with translation.override(language):
        number = number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    if language in SYMBOL_FIRST:
        return f"{symbol}{number}" if currency in SYMBOLS else f"{currency}\u00a0{number}"
    return f"{number}\u00a0{symbol}"
