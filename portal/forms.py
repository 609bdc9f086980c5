"""What every public form of the portal shares."""

from collections.abc import Iterable

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

DASHES = BLANK_CHOICE_DASH[0][1]  # Django's "---------"


class QuickSelect(forms.Select):
    """A select that writes its options itself: the same HTML as Django's `Select`, without a template per option.

    Django renders each option through two templates; a filter form's hundred options (every space's categories
    and districts) then cost a list page more than its database. Grouped choices fall back to Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options, has_selected = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in chosen  # the first match only, as Django's
            has_selected |= selected
            options.append((option_value, mark_safe(" selected") if selected else "", label))
        return format_html(
            "<select{}>{}</select>",
            flatatt({"name": name, **self.build_attrs(self.attrs, attrs)}),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )


class PromptedChoicesMixin:
    """A select's empty choice says what to do ("Choose…") rather than showing Django's dashes."""

    empty_choice_label = _("Choose…")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == DASHES:
                field.empty_label = self.empty_choice_label
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                choices = list(field.choices)  # type: ignore[arg-type]  # a list of pairs once the field is made
                field.choices = [
                    (value, self.empty_choice_label if label == DASHES else label) for value, label in choices
                ]


def declared_parameters(query: QueryDict, names: Iterable[str]) -> QueryDict:
    """The parameters of `query` that a form or serializer declares, each read by its name.

    Parameters nobody reads (a tracker's `utm_source`, a cache buster) then neither change the answer nor make
    the page cache (portal.caching) keep another copy of it; links built from the result do not repeat them.
    """
    declared = QueryDict(mutable=True)
    for name in names:
        if name in query:
            declared.setlist(name, query.getlist(name))
    return declared


class HoneypotField(forms.CharField):
    """A text input that people never see (hidden by CSS, skipped by the keyboard) and that form-filling robots
    fill, named `website` on every form that has one."""

    def __init__(self):
        super().__init__(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "honeypot"}),
        )


class HoneypotMixin:
    """Adds the honeypot to a form: a form that comes back with it filled is refused (the view answers 400)."""

    honeypot_name = "website"

    def add_honeypot(self) -> None:
        self.fields[self.honeypot_name] = HoneypotField()  # type: ignore[attr-defined]

    @staticmethod
    def is_bot(data) -> bool:
        return bool((data.get(HoneypotMixin.honeypot_name) or "").strip())


def longitude_field() -> forms.FloatField:
    """A point's longitude, as a map picker fills it (WGS 84, any decimals, read left to right)."""
    return _coordinate(_("Longitude"), 180)


def latitude_field() -> forms.FloatField:
    return _coordinate(_("Latitude"), 90)


def _coordinate(label, limit: int) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"}),
    )
