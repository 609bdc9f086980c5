"""The public deadline calculator's input, shared by its page and its API: a law (or a body, whose law it is),
a date of receipt, urgency."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody

from . import deadlines
from .models import Law


class CalculatorError(ValueError):
    """A bad input, naming the parameter it is about."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def calculate(
    law: Law | None, received: datetime.date, *, urgent: bool = False, body: PublicBody | None = None
) -> deadlines.Deadline:
    """The due date under `law`, or under `body`'s law when no law is named; the body's country counts the days
    of a law without one (the default rule)."""
    if law is None:
        if body is None:
            raise CalculatorError("law", str(_("Choose a law or a public body.")))
        try:
            law = deadlines.law_for(body)
        except Law.DoesNotExist:
            raise CalculatorError("law", str(_("No law applies to this body: choose one."))) from None
    if not law.country and body is None:
        raise CalculatorError("body", str(_("This rule counts the working days of the body's country: choose a body.")))
    if body is not None and not law.country and not deadlines.has_calendar(body.country):
        raise CalculatorError("body", str(_("No calendar of working days is known for this body's country.")))
    try:
        return deadlines.calculate(law, received, urgent=urgent, country=body.country if body else None)
    except ValueError as error:
        raise CalculatorError("received", str(error)) from None


class DeadlineForm(forms.Form):
    law = forms.ModelChoiceField(
        label=_("Law"),
        queryset=Law.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("The body's law"),
    )
    body = forms.SlugField(label=_("Public body (its address name)"), required=False)
    received = forms.DateField(
        label=_("Date of receipt"), input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    urgent = forms.BooleanField(
        label=_("Urgent: someone's life, safety or freedom depends on the answer"), required=False
    )

    def clean_body(self) -> PublicBody | None:
        slug = self.cleaned_data["body"]
        if not slug:
            return None
        body = PublicBody.objects.filter(slug=slug).first()
        if body is None:
            raise forms.ValidationError(_("No public body has this address name."))
        return body

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["deadline"] = calculate(data["law"], data["received"], urgent=data["urgent"], body=data["body"])
        except CalculatorError as error:
            self.add_error(error.parameter, error.message)
        return data
