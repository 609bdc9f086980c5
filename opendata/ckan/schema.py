"""Input schemas of the actions, as in CKAN's `ckan.logic.schema`, and CKAN's errors.

A schema maps a parameter to a chain of validators; `validate` runs them and raises one
ValidationError naming every bad parameter, with CKAN's messages ("Missing value", "Invalid integer"…).
Parameters a schema doesn't name are ignored, as CKAN's actions ignore them.
"""

import json
from collections.abc import Callable
from typing import Any

from portal.queries import QueryTooLong, check_query_length

MISSING = object()
# Integers go into SQL LIMIT/OFFSET: past 32-bit they are never meant and some databases overflow.
MAX_INTEGER = 2**31 - 1


class ActionError(Exception):
    """An error an action answers with, in CKAN's shape."""

    status = 400
    type = ""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def error_dict(self) -> dict:
        return {"__type": self.type, "message": self.message}


class ValidationError(ActionError):
    status = 409
    type = "Validation Error"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors

    def error_dict(self) -> dict:
        return {**self.errors, "__type": self.type}


class NotFound(ActionError):
    status = 404
    type = "Not Found Error"

    def error_dict(self) -> dict:
        # CKAN: "Not found", then ": <detail>" when the action gave one.
        return {"__type": self.type, "message": f"Not found: {self.message}" if self.message else "Not found"}


class NotAuthorized(ActionError):
    status = 403
    type = "Authorization Error"

    def error_dict(self) -> dict:
        return {"__type": self.type, "message": f"Access denied: {self.message}" if self.message else "Access denied"}


class SearchQueryError(ActionError):
    """A search CKAN refuses before running it (CKAN's `SearchQueryError`, 400)."""

    status = 400
    type = "Search Query Error"

    def error_dict(self) -> dict:
        return {"__type": self.type, "message": f"Search Query is invalid: {(self.message,)!r}"}


class SearchError(ActionError):
    """A search that fails to run, as Solr's syntax errors do in CKAN (CKAN's `SearchError`, 409)."""

    status = 409
    type = "Search Error"

    def error_dict(self) -> dict:
        return {"__type": self.type, "message": f"Search error: {(self.message,)!r}"}


class Invalid(ValueError):
    pass


Validator = Callable[[Any], Any]


def validate(data: dict, schema: dict[str, list[Validator]]) -> dict:
    """Return the validated values of `data` for `schema`'s keys; raise ValidationError naming each bad one."""
    result, errors = {}, {}
    for key, validators in schema.items():
        # As CKAN's `ignore_missing`: a null (JSON null, or "null" parsed from a query string) is an absent value.
        value = _absent_if_null(data.get(key, MISSING))
        try:
            for validator in validators:
                value = _absent_if_null(validator(value))
        except Invalid as error:
            errors[key] = [str(error)]
            continue
        if value is not MISSING:
            result[key] = value
    if errors:
        raise ValidationError(errors)
    return result


def _absent_if_null(value):
    return MISSING if value is None else value


# Validators: each takes a value (MISSING when absent) and returns it, converted, or raises Invalid.


def not_missing(value):
    if value is MISSING or value is None or value == "":
        raise Invalid("Missing value")
    return value


def default(fallback) -> Validator:
    def validator(value):
        blank = isinstance(value, str) and not value.strip()
        return fallback if value is MISSING or value is None or blank else value

    return validator


def _check_text(text: str) -> str:
    if "\x00" in text:
        raise Invalid("Invalid string: NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("Invalid string: not valid Unicode") from None
    return text


def search_words(value):
    """Words to search with: text, bounded by the portal's one limit (portal.queries)."""
    value = unicode_safe(value)
    if isinstance(value, str):
        try:
            check_query_length(value)
        except QueryTooLong as error:
            raise Invalid(str(error)) from None
    return value


def unicode_safe(value):
    if value is MISSING or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("Must be a string")
    return _check_text(str(value))


def int_validator(value):
    if value is MISSING or value is None:
        return value
    if isinstance(value, str) and not value.strip():
        return MISSING  # `rows=%20`: a blank is an absent value, as in CKAN
    if isinstance(value, bool):
        raise Invalid("Invalid integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid("Invalid integer")
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise Invalid("Invalid integer") from None
    elif not isinstance(value, int):
        raise Invalid("Invalid integer")
    if abs(value) > MAX_INTEGER:
        raise Invalid("Invalid integer")
    return value


def natural_number(value):
    value = int_validator(value)
    if isinstance(value, int) and value < 0:
        raise Invalid("Must be a natural number")
    return value


def at_most(maximum: int) -> Validator:
    """CKAN's `limit_to_configured_maximum`: a larger value is lowered to `maximum`, not refused."""

    def validator(value):
        return min(value, maximum) if isinstance(value, int) else value

    return validator


def boolean(value):
    if value is MISSING or value is None:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "t", "y", "1", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "f", "n", "0", "off", ""):
        return False
    raise Invalid("Value must be a boolean")


def json_if_string(value):
    """CKAN's `convert_to_json_if_string`."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise Invalid("Could not parse as valid JSON") from None
    return value


def list_of_strings(value):
    if value is MISSING or value is None:
        return value
    if not isinstance(value, list):
        raise Invalid("Not a list")
    if not all(isinstance(item, str) for item in value):
        raise Invalid("Not a string")
    return [_check_text(item) for item in value]


def list_if_string(value):
    """CKAN's `convert_to_list_if_string`, splitting on commas as `fields=a,b` means two fields."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def json_list_or_string(value):
    """A list, a JSON list in a string, or names separated by commas (one name in a query string)."""
    if isinstance(value, str) and value.strip().startswith("["):
        return json_if_string(value)
    return list_if_string(value)


def json_object(value):
    if value is MISSING or value is None:
        return value
    value = json_if_string(value)
    if not isinstance(value, dict):
        raise Invalid("Not a JSON object")
    _check_json(value)
    return value


def string_or_json_object(value):
    """A string, or an object (or a string holding one) of field → text, like the DataStore's `q`."""
    if value is MISSING or value is None:
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        value = json_if_string(value)
    if isinstance(value, dict):
        _check_json(value)
        if not all(isinstance(text, str | int | float) and not isinstance(text, bool) for text in value.values()):
            raise Invalid("Values of a q object must be strings")
        for text in value.values():
            search_words(str(text))
        return value
    return search_words(value)


def _check_json(value, depth: int = 0):
    """Refuse text the database can't hold, anywhere in a JSON value."""
    if depth > 10:
        raise Invalid("Nested too deeply")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def one_of(*choices) -> Validator:
    def validator(value):
        if value is MISSING or value is None or value in choices:
            return value
        raise Invalid(f"Value must be one of: {', '.join(map(str, choices))}")

    return validator
