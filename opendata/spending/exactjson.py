"""JSON whose numbers are `Decimal`: read without float, written digit for digit.

OCDS writes amounts as JSON numbers. Python's `json` reads them as floats and cannot write a `Decimal` as a
number, so `1234567890123.45` would come back altered. `loads` reads every non-integer number as a `Decimal`;
`dumps` writes a `Decimal` as the number it is. The JSON fields that hold OCDS data (a process's releases, a
contract's amendments and implementation) store and read their numbers this way too.
"""

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def number_text(value: Decimal) -> str:
    """A finite Decimal as a JSON number: `1234.50` stays `1234.50`, `1E+3` (valid JSON) stays as it is."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    return str(value)


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Return `value` as JSON text (UTF-8 characters kept), its Decimals written exactly as numbers."""
    return "".join(_chunks(value, indent, 0))


def _chunks(value: Any, indent: int | None, level: int):
    if isinstance(value, Decimal):
        yield number_text(value)
    elif isinstance(value, dict):
        if not value:
            yield "{}"
            return
        yield "{"
        for position, (key, item) in enumerate(value.items()):
            yield ("," if position else "") + _newline(indent, level + 1)
            yield json.dumps(str(key), ensure_ascii=False) + (": " if indent is not None else ":")
            yield from _chunks(item, indent, level + 1)
        yield _newline(indent, level) + "}"
    elif isinstance(value, list | tuple):
        if not value:
            yield "[]"
            return
        yield "["
        for position, item in enumerate(value):
            yield ("," if position else "") + _newline(indent, level + 1)
            yield from _chunks(item, indent, level + 1)
        yield _newline(indent, level) + "]"
    else:
        yield json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def _newline(indent: int | None, level: int) -> str:
    return "" if indent is None else "\n" + " " * (indent * level)


class ExactJSONEncoder(DjangoJSONEncoder):
    """For a JSONField: Decimals stored as the numbers they are (json.dumps calls `encode`)."""

    def encode(self, o):
        return dumps(o)


class DecimalJSONDecoder(json.JSONDecoder):
    """For a JSONField: numbers with a fraction come back as Decimals, as stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)
