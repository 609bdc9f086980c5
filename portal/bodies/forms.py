from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import PublicBody, RoleGrant


class PublicBodyForm(WagtailAdminModelForm):
    """Body form with the place in the tree chosen as a parent (treebeard keeps the paths)."""

    parent = forms.ModelChoiceField(
        queryset=PublicBody.objects.all(),
        required=False,
        label=_("Part of"),
        help_text=_("The body this one belongs to; leave empty for a region or wilaya at the top."),
    )

    class Meta:
        model = PublicBody
        fields = [
            "parent",
            "kind",
            "slug",
            "name_ar",
            "name_fr",
            "name_en",
            "description_ar",
            "description_fr",
            "description_en",
            "country",
            "official_code",
            "email",
            "phone",
            "website",
            "address",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["parent"] = getattr(self.instance.get_parent(), "pk", None)
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(path__startswith=self.instance.path)

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent is None and self.for_user is not None and not self.for_user.is_superuser:
            raise forms.ValidationError(_("Only a site administrator can add a body at the top of the tree."))
        return parent

    def save(self, commit=True):
        """Place a new body under its parent, or move an existing one, through treebeard."""
        body, parent = self.instance, self.cleaned_data["parent"]
        if body.pk is None:
            return parent.add_child(instance=body) if parent else PublicBody.add_root(instance=body)
        body.save()
        if "parent" in self.changed_data:
            if parent:
                body.move(parent, "last-child")
            else:
                body.move(PublicBody.get_first_root_node(), "last-sibling")
            body.refresh_from_db()
        return body


class RoleGrantForm(WagtailAdminModelForm):
    """A role grant names the person by their exact email address: the form lists nobody's account."""

    user = forms.EmailField(
        label=_("Email address of the person"),
        help_text=_("The address of an existing, active account on the portal."),
    )

    class Meta:
        model = RoleGrant
        fields = ["body", "role"]

    field_order = ["user", "body", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["user"] = self.instance.user.email

    def clean_user(self):
        email = self.cleaned_data["user"]
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account uses this address."))
        return user

    def _post_clean(self):
        if isinstance(self.cleaned_data.get("user"), get_user_model()):
            self.instance.user = self.cleaned_data["user"]
        super()._post_clean()
