"""Amounts of money as people read them: grouped per language, with the currency's sign, never split across lines.

One rule for every page that shows money (open-data previews, spending, budgets): two decimals, or none when
every amount shown together is whole; the sign after the number, joined to it by no-break spaces.
"""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import get_language

# The sign people write after an amount, per language ("" for the others); unknown codes show as the code.
CURRENCY_SIGNS = {
    "DZD": {"ar": "د.ج", "": "DA"},
    "MAD": {"ar": "د.م.", "": "DH"},
    "TND": {"ar": "د.ت", "": "DT"},
    "EUR": {"": "€"},
    "USD": {"": "$"},
    "XOF": {"": "FCFA"},
}
NO_BREAK_SPACE = "\u00a0"


def currency_sign(code: str) -> str:
    signs = CURRENCY_SIGNS.get(code.upper(), {})
    return signs.get(get_language() or "", signs.get("", code.upper()))


def decimal_places(amounts) -> int:
    """2 when one of `amounts` has cents, else 0: the amounts shown together are written alike."""
    for amount in amounts:
        number = as_decimal(amount)
        if number is not None and number != number.to_integral_value():
            return 2
    return 0


def as_decimal(amount) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_number(amount, places: int | None = None) -> str:
    """`amount` grouped per the active language; `places` decimals (as given when None). Unbreakable."""
    number = as_decimal(amount)
    if number is None:
        return str(amount)
    text = number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    return text.replace(" ", NO_BREAK_SPACE)


def format_money(amount, currency: str = "", places: int | None = None) -> str:
    """`amount` with its currency's sign: "4 500 000,00 DA", "349.237.000,25 د.ج"."""
    if places is None:
        places = decimal_places([amount])
    text = format_number(amount, places)
    return f"{text}{NO_BREAK_SPACE}{currency_sign(currency)}" if currency else text
