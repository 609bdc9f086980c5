from django import template

from portal.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`amount` with its currency's sign, per the active language (portal.money); a dash when unknown."""
    return "—" if amount is None or amount == "" else format_money(amount, currency)
