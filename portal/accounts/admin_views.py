"""Resident verification in the Wagtail admin: moderators of a body check a person's identity document at the
counter and record it (identity.verify_person, which keeps only a keyed hash of the number), list the
verifications of their bodies, revoke one, and look into the identity conflicts that concern their bodies.

A verification or a conflict of another body is a 403, whichever door is tried; every body offered is one the
moderator moderates, and the choice is checked again when the form is saved.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import log

from portal.bodies.auth import get_bodies_with_role
from portal.bodies.models import District, PublicBody, Role
from portal.forbidden import forbidden_as_403

from .identity import VerificationRefused, verify_person
from .models import IdentityConflict, Verification

PER_PAGE = 50
REVOKE_LOG_ACTION = "accounts.verification.revoke"


def moderated_bodies(user):
    return get_bodies_with_role(user, Role.MODERATOR)


def may_verify(user) -> bool:
    return moderated_bodies(user).exists()


def _bodies(request):
    bodies = moderated_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    return bodies


class VerifyForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email of the account"))
    identity_number = forms.CharField(
        label=gettext_lazy("Identity document number"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
        help_text=gettext_lazy("Checked on the document the person shows. It is never stored, only a keyed hash."),
    )
    body = forms.ModelChoiceField(queryset=PublicBody.objects.none(), label=gettext_lazy("Place of residence"))
    district = forms.ModelChoiceField(
        queryset=District.objects.none(), required=False, label=gettext_lazy("District of residence")
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        body_field, district_field = self.fields["body"], self.fields["district"]
        assert isinstance(body_field, forms.ModelChoiceField) and isinstance(district_field, forms.ModelChoiceField)
        body_field.queryset = bodies.order_by("path")
        district_field.queryset = District.objects.filter(body__in=bodies).select_related("body")

    def clean_email(self):
        email = self.cleaned_data["email"]
        account = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if account is None:
            raise forms.ValidationError(_("No active account has this email."))
        self.account = account
        return email

    def clean(self):
        data = super().clean() or {}
        body, district = data.get("body"), data.get("district")
        if body is not None and district is not None and not district.body.path.startswith(body.path):
            self.add_error("district", _("Choose a district of %(body)s.") % {"body": body})
        return data


@forbidden_as_403
def verify_view(request):
    bodies = _bodies(request)
    form = VerifyForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        # The form offered only these bodies; checked again against the grants as they are now.
        if not moderated_bodies(request.user).filter(pk=body.pk).exists():
            raise PermissionDenied
        try:
            verify_person(
                form.account,
                form.cleaned_data["identity_number"],
                body,
                by=request.user,
                district=form.cleaned_data["district"],
            )
        except VerificationRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("%(email)s is verified as a resident.") % {"email": form.account.email})
            return redirect("verifications_admin:index")
    context = {"page_title": _("Verify a resident"), "form": form}
    return TemplateResponse(request, "accounts/admin/verify.html", context)


@forbidden_as_403
def index_view(request):
    bodies = _bodies(request)
    verifications = Verification.objects.filter(body__in=bodies).select_related(
        "user", "body", "district", "verified_by"
    )
    query = request.GET.get("q", "").strip()
    if query:
        verifications = verifications.filter(user__email__icontains=query)
    page = Paginator(verifications.order_by("-verified_at", "-pk"), PER_PAGE).get_page(request.GET.get("p"))
    context = {"page_title": _("Verified residents"), "page": page, "q": query, "query": urlencode({"q": query})}
    return TemplateResponse(request, "accounts/admin/verifications.html", context)


@forbidden_as_403
@require_POST
def revoke_view(request, pk: int):
    verification = get_object_or_404(Verification.objects.select_related("user", "body"), pk=pk)
    if not moderated_bodies(request.user).filter(pk=verification.body_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        log(
            instance=verification,
            action=REVOKE_LOG_ACTION,
            user=request.user,
            data={"user": verification.user_id, "body": verification.body.slug},
        )
        verification.delete()
    messages.success(request, _("The verification of %(email)s is revoked.") % {"email": verification.user.email})
    return redirect("verifications_admin:index")


@forbidden_as_403
def conflicts_view(request):
    """The accounts that presented an identity verified on another account of the moderator's bodies."""
    bodies = _bodies(request)
    verified_here = Verification.objects.filter(body__in=bodies)
    conflicts = IdentityConflict.objects.filter(identity_hash__in=verified_here.values("identity_hash")).select_related(
        "user", "existing_user"
    )
    page = Paginator(conflicts, PER_PAGE).get_page(request.GET.get("p"))
    context = {"page_title": _("Identity conflicts"), "page": page}
    return TemplateResponse(request, "accounts/admin/conflicts.html", context)
