import difflib
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.money import format_money

register = template.Library()

# Words and the spaces between them: a diff by words reads better than by characters, in Arabic as in French.
TOKENS = re.compile(r"\s+|[^\s]+")


@register.simple_tag
def word_diff(old: str, new: str) -> SafeString:
    """`old` changed into `new`, word by word: removed words in <del>, added ones in <ins>, everything escaped."""
    before, after = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    parts = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if operation in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(before[i1:i2]))}</del>")
        if operation in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(after[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece is escaped above)


@register.filter
def money(amount, currency: str = "") -> str:
    """An amount with its currency's sign, as the active language writes it (portal.money)."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency)
