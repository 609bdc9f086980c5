from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody
from portal.forms import HoneypotField, PromptedChoicesMixin

from .census import InvalidRow, read_birth_date
from .models import Organisation
from .sms import InvalidPhone, normalise_phone


class OrganisationForm(PromptedChoicesMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "language", "description", "registration_number", "body", "email", "website"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A ModelChoiceField, which the type checker knows only as a Field.
        self.fields["body"].queryset = PublicBody.objects.exclude(kind=PublicBody.Kind.DEPARTMENT)  # type: ignore[attr-defined]


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the member's account"))


# Verification online (views.verify): the census check, then the code received by SMS.


class CensusCheckForm(forms.Form):
    body = forms.ModelChoiceField(queryset=PublicBody.objects.none(), label=_("Your commune"), empty_label=None)
    identity_number = forms.CharField(
        label=_("National identity number"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "numeric"}),
        help_text=_("As written on your identity card. It is compared with the census, never stored."),
    )
    born_on = forms.CharField(
        label=_("Date of birth"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "30/04/2001", "autocomplete": "bday"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "type": "tel", "autocomplete": "tel", "placeholder": "0661 23 45 67"}
        ),
        help_text=_("A code is sent to it by SMS."),
    )
    website = HoneypotField()

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        body_field = self.fields["body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = bodies
        only = list(bodies[:2])
        if len(only) == 1:
            body_field.initial = only[0].pk
            body_field.widget = forms.HiddenInput()

    def clean_born_on(self):
        try:
            return read_birth_date(self.cleaned_data["born_on"])
        except InvalidRow:
            raise forms.ValidationError(_("Write your date of birth as 30/04/2001.")) from None

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone as error:
            raise forms.ValidationError(str(error)) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    website = HoneypotField()
