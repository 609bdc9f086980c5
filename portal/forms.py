"""What every public form of the portal shares."""

from collections.abc import Iterable

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

DASHES = BLANK_CHOICE_DASH[0][1]  # Django's "---------"


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
