from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody
from portal.forms import PromptedChoicesMixin

from .models import Organisation


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
