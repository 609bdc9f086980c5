"""What every public form of the portal shares."""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
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
