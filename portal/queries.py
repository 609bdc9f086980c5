"""The words people search with: one bound for every search box, API parameter and download filter.

Past a few hundred characters a query is no longer words someone typed, and engines choke on it (SQLite refuses
LIKE patterns over 50,000 bytes; full-text parsers slow down with each term).
"""

from django.conf import settings
from django.utils.translation import gettext as _


class QueryTooLong(ValueError):
    pass


def max_query_length() -> int:
    return settings.SEARCH_MAX_QUERY_LENGTH


def check_query_length(text: str) -> str:
    """Return `text`, or raise QueryTooLong (with a message for the person) when it is longer than the bound."""
    limit = max_query_length()
    if len(text) > limit:
        raise QueryTooLong(_("Search words are limited to %(limit)d characters.") % {"limit": limit})
    return text


def without_unbalanced_quotes(text: str) -> str:
    """Return `text` with its double quotes dropped when one is left open: full-text parsers refuse `"budget`."""
    return text.replace('"', " ") if text.count('"') % 2 else text
