"""The filters of the public spending listings: they validate what the address says, nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Payment


class PaymentFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Show"), choices=Payment.Kind.choices, required=False)
    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False, empty_value=None)
    function = forms.CharField(label=_("Function code"), max_length=30, required=False)
    q = forms.CharField(label=_("Words"), max_length=200, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class SupplierSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=200, required=False)


class ContractFilterForm(forms.Form):
    body = forms.SlugField(label=_("Public body"), required=False)
    year = forms.IntegerField(label=_("Fiscal year"), min_value=1900, max_value=2100, required=False)
