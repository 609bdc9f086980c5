"""The forms of the spending admin screens: what staff type is checked as an import would check it.

Records an import finds by a key (budget lines, payments, suppliers) get the same key when typed, so that a
later import finds them, and a record typed twice is refused rather than stored twice.
"""

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm

from .auth import supplier_policy
from .models import BudgetLine, Payment, Supplier


class KeyedForm(WagtailAdminModelForm):
    """A form for a model with an `identity()`: sets `key` and refuses a record that already exists."""

    # The fields that, with `key`, make a record unique (the model's constraint).
    key_scope: tuple[str, ...] = ()
    duplicate_message = _("This record already exists.")

    def _post_clean(self):
        super()._post_clean()
        instance = self.instance
        try:
            instance.key = self.identity(instance)
        except (ObjectDoesNotExist, TypeError, ValueError):
            return  # a missing or invalid field, reported on that field
        scope = {name: getattr(instance, name) for name in self.key_scope}
        if type(instance).objects.filter(**scope, key=instance.key).exclude(pk=instance.pk).exists():
            self.add_error(None, self.duplicate_message)

    def identity(self, instance) -> str:
        return instance.identity()


class BudgetLineForm(KeyedForm):
    key_scope = ("body_id", "fiscal_year", "stage")
    duplicate_message = _(
        "The body's budget already has this line (same codes, or same label) for this year and stage."
    )

    class Meta:
        model = BudgetLine
        fields = "__all__"


def limit_suppliers(field, user) -> None:
    """Offer (and accept) only the suppliers `user` may see: not the private persons of other bodies."""
    if field is not None and user is not None:
        field.queryset = field.queryset.filter(pk__in=supplier_policy.instances_user_has_any_permission_for(
            user, ["view"]).values("pk"))  # fmt: skip


class PaymentForm(KeyedForm):
    key_scope = ("body_id", "kind")
    duplicate_message = _("This payment is already recorded (same reference, or same values).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_suppliers(self.fields.get("supplier"), self.for_user)

    class Meta:
        model = Payment
        fields = "__all__"


class ContractingProcessForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        awards = self.formsets.get("awards")
        if awards is not None:
            for form in [*awards.forms, awards.empty_form]:
                limit_suppliers(form.fields.get("supplier"), self.for_user)


class SupplierForm(KeyedForm):
    duplicate_message = _("A supplier with this identifier (or, without one, this name) already exists.")

    class Meta:
        model = Supplier
        fields = ["name", "identifier", "kind"]

    def identity(self, instance) -> str:
        if not instance.name.strip():
            raise ValueError("no name")
        return Supplier.key_for(instance.name, instance.identifier)


class ClassificationCodeForm(WagtailAdminModelForm):
    """Staff who are not superusers add codes to one of their bodies: the shared list is reference data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "body" in self.fields and not (user and user.is_superuser):
            self.fields["body"].required = True


class SupplierFilterForm(BaseFilterForm):
    """The supplier chooser's search: part of a name or of an official identifier."""

    q = forms.CharField(label=_("Search term"), required=False)

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(name__icontains=query) | Q(identifier__icontains=query))
            self.is_searching, self.search_query = True, query
        return objects
