"""Amounts of money as people read them: grouped per language, with the currency's sign, never split across lines.

One rule for every page that shows money (open-data previews, spending, budgets): two decimals, or none when
every amount shown together is whole; the sign after the number, joined to it by no-break spaces.
"""

import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.files import split_amount

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


# Reading amounts as finance systems write them


class NotAnAmount(ValueError):
    """A cell that is not an amount of money; the message says why, for a report."""


# Arabic-Indic (٠-٩) and Persian (۰-۹) digits as ASCII ones; the Arabic decimal (٫) and thousands (٬) separators
# kept as they are (read_amount reads them); the invisible direction marks of right-to-left exports dropped.
DIGITS = str.maketrans(
    {
        **{chr(0x0660 + value): str(value) for value in range(10)},
        **{chr(0x06F0 + value): str(value) for value in range(10)},
        **dict.fromkeys(
            ["\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
        ),
    }
)
ARABIC_DECIMAL, ARABIC_THOUSANDS = "\u066b", "\u066c"
SPACES = " \u00a0\u202f\u2009'"  # always thousands separators in an amount: space, no-break, narrow, thin, Swiss


def ascii_digits(text: str) -> str:
    """`text` with Arabic-Indic and Persian digits as 0-9 and without direction marks."""
    return text.translate(DIGITS)


def read_amount(text: str, decimal: str = ".", group: str = "") -> tuple[Decimal, str | None]:
    """Return (amount, currency) of a money cell as a finance system writes it; NotAnAmount when it is none.

    `decimal` is the file's decimal separator (portal.files.detect_numbers; `group` is accepted for its
    answer, the grouping being read from the cell itself). Spaces of any kind and
    the Arabic separators (٫ decimal, ٬ thousands) are read in any file; the other of "," and "." than
    `decimal` only between groups of three digits ("1.234.567,89" with a decimal comma). Also read: a
    currency sign or code before or after the number (`currency` is its ISO 4217 code, "" for a sign naming
    none, None without sign), parentheses for a negative, a dash alone for zero, Arabic-Indic digits.
    """
    cleaned = ascii_digits(text).strip()
    if ARABIC_DECIMAL in cleaned or ARABIC_THOUSANDS in cleaned:
        cleaned = cleaned.replace(ARABIC_THOUSANDS, "").replace(ARABIC_DECIMAL, ".")
        decimal = "."
    split = split_amount(cleaned)
    if split is None:
        raise NotAnAmount(_("“%(text)s” is not an amount") % {"text": text.strip()})
    number, currency = split
    for space in SPACES:
        number = number.replace(space, "")
    other = "," if decimal == "." else "."
    if not _number_pattern(decimal).fullmatch(number) or not DIGIT.search(number):
        raise NotAnAmount(_("“%(text)s” is not an amount") % {"text": text.strip()})
    try:
        amount = Decimal(number.replace(other, "").replace(decimal, "."))
    except InvalidOperation:
        raise NotAnAmount(_("“%(text)s” is not an amount") % {"text": text.strip()}) from None
    return amount, currency


DIGIT = re.compile(r"\d")


@functools.cache
def _number_pattern(decimal: str) -> re.Pattern:
    """Digits with `decimal` before the decimals, and the other of "," and "." between groups of three only."""
    other = re.escape("," if decimal == "." else ".")
    return re.compile(rf"[+-]?(\d{{1,3}}(?:{other}\d{{3}})+|\d*)(?:{re.escape(decimal)}\d+)?")


@functools.cache
def amount_reader(decimal: str = ".") -> Callable[[str], tuple[Decimal, str | None]]:
    """`read_amount` for the cells of one file whose decimal separator is `decimal`, faster: the common shape
    (ASCII digits, single spaces between groups, the decimal separator: "1 234,56", "-1234.5") is read by one
    precompiled pattern, every other cell by read_amount. The same answers; an import's amounts in a third of
    the time (bench/spending_import.py)."""
    plain = re.compile(rf"-?[0-9]+(?:[ \u00a0][0-9]+)*(?:{re.escape(decimal)}[0-9]+)?").fullmatch

    def read(text: str) -> tuple[Decimal, str | None]:
        if plain(text):
            return Decimal(text.replace(" ", "").replace(NO_BREAK_SPACE, "").replace(decimal, ".")), None
        return read_amount(text, decimal)

    return read


def parse_amount(text: str, decimal: str = ".", group: str = "") -> Decimal:
    """The amount of a money cell, read as `read_amount` does (its currency sign aside); NotAnAmount otherwise."""
    return read_amount(text, decimal, group)[0]
