"""Solr-style filter queries (`fq`) of CKAN's package_search, turned into a condition on datasets.

The grammar is the part of Solr's that CKAN clients send:
`tags:economy`, `organization:"commune-test"`, `+res_format:CSV -license_id:cc-by-4.0`,
`groups:(economy OR transport)`, `a AND b`, `a OR b`, `NOT a`, parentheses, `*:*`, and
`metadata_modified:[2024-01-01T00:00:00Z TO *]` (what ckanext-harvest sends to fetch what changed), with
Solr's date math: `[NOW-1DAY TO *]`, `[NOW/DAY-7DAYS TO NOW/DAY]`, `[2024-01-01T00:00:00Z+1MONTH TO *]`.
Clauses side by side must all hold: CKAN's Solr schema sets `q.op` to AND.
Anything else (an unknown field, an unbalanced quote or bracket, stray syntax) raises FilterQueryError.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ..catalogue import FACETS, facet_condition, word_condition
from ..models import Dataset

# CKAN's `state` → our statuses (a withdrawn dataset is CKAN's deleted one).
STATES = {
    "active": Dataset.Status.PUBLISHED,
    "draft": Dataset.Status.DRAFT,
    "deleted": Dataset.Status.WITHDRAWN,
}
# Fields beyond the facets: exact values on the dataset itself.
FIELDS = {**FACETS, "name": "name", "id": "uuid", "state": "status", "owner_org": "body__uuid"}
RANGE_FIELDS = {"metadata_modified": "modified_at", "metadata_created": "created_at"}
# Fields of words that `q` takes besides the filters (Solr's text fields in CKAN's schema), with what they search.
TEXT_FIELDS = {"title": ("title",), "notes": ("notes",), "text": ("name", "tags", "title", "notes")}
# What makes a `q` more than words: a field, an operator, parentheses, a quote or a sign.
QUERY_SYNTAX = re.compile(r"""[:()"]|(?:^|\s)[+\-!]\S|(?:^|[\s)])(?:AND|OR|NOT)(?:[\s(]|$)""")
# Solr's date math units (DateMathParser), singular and plural; calendar units are counted in months.
DATE_UNITS = {
    "YEAR": "years",
    "MONTH": "months",
    "DAY": "days",
    "DATE": "days",
    "HOUR": "hours",
    "MINUTE": "minutes",
    "SECOND": "seconds",
    "MILLI": "microseconds",
    "MILLISECOND": "microseconds",
}
DATE_MATH = re.compile(r"([+-])(\d{1,6})([A-Z]+)|/([A-Z]+)")
MAX_LENGTH = 5000
MAX_DEPTH = 20  # parentheses and signs nested deeper than any real client sends

TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<range>[\[{][^\]}]*[\]}])
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<badquote>")
  | (?P<sign>[+\-!](?=\S))
  | (?P<op>(?:AND|OR|NOT|&&|\|\|)(?=[\s()]|$))
  | (?P<term>(?:[^\s()"\[\]{}:\\]|\\.)+)
  | (?P<colon>:)
    """,
    re.VERBOSE,
)


class FilterQueryError(ValueError):
    """An `fq` we can't read; the message says where."""


@dataclass
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise FilterQueryError(f"unexpected {text[position]!r} at position {position}")
        kind = match.lastgroup
        if kind == "badquote":
            raise FilterQueryError(f"unbalanced quote at position {position}")
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _Parser:
    def __init__(self, text: str, *, words: bool = False):
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        # A `q`: words without a field search the text fields, and title, notes and text are fields.
        self.words = words

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterQueryError("unexpected end of the query")
        self.index += 1
        return token

    def parse(self) -> Q:
        if not self.tokens:
            return Q()
        condition = self.or_expression(None)
        if (token := self.peek()) is not None:
            raise FilterQueryError(f"unexpected {token.text!r} at position {token.position}")
        return condition

    def or_expression(self, field: str | None) -> Q:
        condition = self.and_expression(field)
        while (token := self.peek()) is not None and token.kind == "op" and token.text in ("OR", "||"):
            self.take()
            condition = condition | self.and_expression(field)
        return condition

    def and_expression(self, field: str | None) -> Q:
        condition = self.unary(field)
        while (token := self.peek()) is not None and token.kind != "rparen":
            if token.kind == "op" and token.text in ("OR", "||"):
                break
            if token.kind == "op" and token.text in ("AND", "&&"):
                self.take()
            condition = condition & self.unary(field)
        return condition

    def unary(self, field: str | None) -> Q:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterQueryError("the query nests too deeply")
        try:
            return self._unary(field)
        finally:
            self.depth -= 1

    def _unary(self, field: str | None) -> Q:
        token = self.take()
        if token.kind == "sign" or (token.kind == "op" and token.text == "NOT"):
            negate = token.text in ("-", "!", "NOT")
            condition = self.unary(field)
            return ~condition if negate else condition
        if token.kind == "lparen":
            condition = self.or_expression(field)
            closing = self.take()
            if closing.kind != "rparen":
                raise FilterQueryError(f"expected ')' at position {closing.position}")
            return condition
        if token.kind == "term" and (following := self.peek()) is not None and following.kind == "colon":
            if field is not None:
                raise FilterQueryError(f"nested field {token.text!r} at position {token.position}")
            self.take()
            return self.field_value(token)
        if token.kind in ("term", "quoted") and field is not None:
            return _value_condition(field, token)
        if token.kind in ("term", "quoted") and self.words:
            return _value_condition("text", token)
        if token.kind == "range" and field is not None:
            return _range_condition(field, token)
        raise FilterQueryError(f"unexpected {token.text!r} at position {token.position}")

    def field_value(self, field_token: _Token) -> Q:
        name = field_token.text
        value = self.peek()
        if value is None:
            raise FilterQueryError(f"missing value for {name!r}")
        if name == "*" and value.text == "*":
            self.take()
            return Q()
        if name not in FIELDS and name not in RANGE_FIELDS and not (self.words and name in TEXT_FIELDS):
            raise FilterQueryError(f"unknown field {name!r}")
        if value.kind == "lparen":
            self.take()
            condition = self.or_expression(name)
            closing = self.take()
            if closing.kind != "rparen":
                raise FilterQueryError(f"expected ')' at position {closing.position}")
            return condition
        if value.kind in ("term", "quoted", "range"):
            return self.unary(name)
        raise FilterQueryError(f"unexpected {value.text!r} at position {value.position}")


def _value_condition(field: str, token: _Token) -> Q:
    if field in RANGE_FIELDS:
        if token.text == "*":
            return Q()
        raise FilterQueryError(f"{field} takes a range such as [2024-01-01T00:00:00Z TO *]")
    quoted = token.kind == "quoted"
    value = _unescape(token.text[1:-1] if quoted else token.text)
    if field in TEXT_FIELDS:
        return word_condition(value, TEXT_FIELDS[field])
    lookup = FIELDS[field]
    prefix = not quoted and value.endswith("*") and "*" not in value[:-1]  # Solr's prefix query: `name:budget-*`
    if field in FACETS:
        if not quoted and value == "*":
            return facet_condition(field, [], "isnull")
        return facet_condition(field, value[:-1] if prefix else value, "startswith" if prefix else "exact")
    if not quoted and value == "*":
        return Q(**{f"{lookup}__isnull": False})
    if field == "state":
        if value not in STATES:
            return Q(pk__in=[])
        return Q(status=STATES[value])
    if field in ("id", "owner_org"):
        try:
            value = uuid.UUID(value)
        except ValueError:
            return Q(pk__in=[])
    if prefix and isinstance(value, str):
        return Q(**{f"{lookup}__startswith": value[:-1]})
    return Q(**{lookup: value})


def _parse_instant(text: str, field: str) -> datetime | None:
    """Return the instant `text` names: `*` (none), `NOW` or an ISO date and time, then Solr's date math."""
    if text == "*":
        return None
    base, math = (text[:3], text[3:]) if text.startswith("NOW") else _split_math(text)
    try:
        if base == "NOW":
            instant = timezone.now().astimezone(UTC)
        else:
            instant = datetime.fromisoformat(base.replace("Z", "+00:00"))
            instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
        instant = _date_math(instant.astimezone(UTC), math)
        # The database compares in UTC: an offset that takes year 1 or 9999 past its end is out of range.
        instant.astimezone(UTC)
    except (ValueError, OverflowError, KeyError):
        raise FilterQueryError(f"{text!r} is not a date and time for {field}") from None
    return instant


def _split_math(text: str) -> tuple[str, str]:
    """An ISO instant and the date math after it (Solr needs its `Z` there: `…T00:00:00Z+1DAY`)."""
    base, z, math = text.partition("Z")
    return (base + z, math) if z else (text, "")


def _date_math(instant: datetime, math: str) -> datetime:
    """Apply Solr's date math (`-1DAY`, `+7DAYS`, `/DAY`, in order) to `instant`; KeyError for a unit."""
    position = 0
    while position < len(math):
        match = DATE_MATH.match(math, position)
        if match is None:
            raise ValueError(math)
        sign, amount, unit, rounding = match.groups()
        if rounding:
            instant = _round_down(instant, DATE_UNITS[rounding.removesuffix("S")])
        else:
            unit = DATE_UNITS[unit if unit in DATE_UNITS else unit.removesuffix("S")]
            number = int(amount) * (1000 if unit == "microseconds" else 1) * (-1 if sign == "-" else 1)
            instant = _add(instant, unit, number)
        position = match.end()
    return instant


def _add(instant: datetime, unit: str, number: int) -> datetime:
    if unit not in ("years", "months"):
        return instant + timedelta(**{unit: number})
    months = instant.year * 12 + instant.month - 1 + number * (12 if unit == "years" else 1)
    year, month = divmod(months, 12)
    # As Solr (and Java's calendar): 31 January + 1 month is the last day of February.
    next_month = datetime(year + (month == 11), (month + 1) % 12 + 1, 1, tzinfo=UTC)
    last_day = (next_month - timedelta(days=1)).day
    return instant.replace(year=year, month=month + 1, day=min(instant.day, last_day))


def _round_down(instant: datetime, unit: str) -> datetime:
    """Solr's `/UNIT`: the start of the unit that holds `instant`."""
    order = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]
    fields = {"months": ("month", 1), "days": ("day", 1), "hours": ("hour", 0), "minutes": ("minute", 0)}
    fields.update({"seconds": ("second", 0), "microseconds": ("microsecond", 0)})
    reset = {name: value for key, (name, value) in fields.items() if order.index(key) > order.index(unit)}
    if unit == "microseconds":  # a millisecond: drop what is below it
        return instant.replace(microsecond=instant.microsecond - instant.microsecond % 1000)
    return instant.replace(**reset)


def _range_condition(field: str, token: _Token) -> Q:
    if field not in RANGE_FIELDS:
        raise FilterQueryError(f"{field} takes no range")
    inclusive_start, inclusive_end = token.text[0] == "[", token.text[-1] == "]"
    parts = token.text[1:-1].split()
    if len(parts) != 3 or parts[1] != "TO":
        raise FilterQueryError(f"a range reads [start TO end], not {token.text!r}")
    start, end = _parse_instant(parts[0], field), _parse_instant(parts[2], field)
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{RANGE_FIELDS[field]}__{'gte' if inclusive_start else 'gt'}": start})
    if end is not None:
        condition &= Q(**{f"{RANGE_FIELDS[field]}__{'lte' if inclusive_end else 'lt'}": end})
    return condition


def parse(text: str) -> Q:
    """Return the condition on datasets that `text` (a Solr filter query) means.

    An empty query is no condition. Raises FilterQueryError for anything outside the grammar.
    """
    if len(text) > MAX_LENGTH:
        raise FilterQueryError(f"the query is longer than {MAX_LENGTH} characters")
    return _Parser(text).parse()


def parse_q(text: str) -> Q:
    """Return the condition on datasets that package_search's `q` means when it is more than words.

    As a filter query, and: words without a field search names, titles, notes and keywords (`text`), `title:` and
    `notes:` search those, `OR` joins alternatives (`budget OR eau`). Raises FilterQueryError as `parse`.
    """
    if len(text) > MAX_LENGTH:
        raise FilterQueryError(f"the query is longer than {MAX_LENGTH} characters")
    return _Parser(text, words=True).parse()


def has_syntax(text: str) -> bool:
    """Whether `q` is more than words: a field, an operator, parentheses, quotes or a sign."""
    return QUERY_SYNTAX.search(text) is not None
