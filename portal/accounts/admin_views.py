"""Resident verification in the Wagtail admin: moderators of a body check a person's identity document at the
counter and record it (identity.verify_person, which keeps only a keyed hash of the number), list the
verifications of their bodies, revoke one, and look into the identity conflicts that concern their bodies.

A verification or a conflict of another body is a 403, whichever door is tried; every body offered is one the
moderator moderates, and the choice is checked again when the form is saved.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
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

from portal.bodies.auth import get_bodies_with_any_role, get_bodies_with_role, has_role
from portal.bodies.models import District, PublicBody, Role
from portal.forbidden import forbidden_as_403
from portal.importing import ColumnMapping, MappingError

from . import census
from .identity import VerificationRefused, verify_person
from .models import CensusImport, IdentityConflict, Verification

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
    born_on = forms.DateField(
        label=gettext_lazy("Date of birth"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("As on the document: budgeting cycles with a minimum age need it."),
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
                born_on=form.cleaned_data["born_on"],
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


# The residents' census (census.import_census): administrators and budget managers of a body ---------------


def census_bodies(user):
    """The bodies whose census `user` may replace: budget managers and administrators, and the bodies below."""
    return get_bodies_with_any_role(user, [Role.BUDGET_MANAGER])


def may_import_census(user) -> bool:
    return census_bodies(user).exists()


class CensusUploadForm(forms.Form):
    body = forms.ModelChoiceField(queryset=PublicBody.objects.none(), label=gettext_lazy("Public body"))
    file = forms.FileField(
        label=gettext_lazy("Census file"),
        help_text=gettext_lazy(
            "CSV (any encoding, , or ; between cells), XLSX or ODS. Columns: identity_number, district, born_on. "
            "It replaces the body's census."
        ),
    )
    mapping = forms.CharField(
        label=gettext_lazy("Mapping (JSON, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=gettext_lazy(
            'For other column names: {"columns": {"identity_number": "NIN", "district": "Quartier"}}'
        ),
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        body_field = self.fields["body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = bodies.order_by("path")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CENSUS_MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": settings.CENSUS_MAX_UPLOAD_SIZE // 2**20}
            )
        return upload

    def clean_mapping(self):
        text = self.cleaned_data["mapping"].strip()
        if not text:
            return None
        try:
            return ColumnMapping.from_json(text, census.FIELDS)
        except MappingError as error:
            raise forms.ValidationError(str(error)) from None


@forbidden_as_403
def census_view(request):
    """Upload a body's census (it replaces the one before) and see the history of the imports."""
    bodies = census_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    form = CensusUploadForm(request.POST or None, request.FILES or None, bodies=bodies)
    if request.method == "POST":
        # The form offers only these bodies; a body posted from elsewhere is a closed door, not a typo.
        posted = str(request.POST.get("body", ""))
        chosen = PublicBody.objects.filter(pk=posted).first() if posted.isdigit() else None
        if chosen is not None and not has_role(request.user, Role.BUDGET_MANAGER, chosen):
            raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        upload = form.cleaned_data["file"]
        report = census.import_census(
            upload, body, by=request.user, mapping=form.cleaned_data["mapping"], name=upload.name
        )
        if report.refused:
            messages.error(request, report.summary())
        else:
            messages.success(request, report.summary())
        assert report.census_import is not None
        return redirect("verifications_admin:census_import", pk=report.census_import.pk)
    imports = CensusImport.objects.filter(body__in=bodies).select_related("body", "uploaded_by")
    page = Paginator(imports, PER_PAGE).get_page(request.GET.get("p"))
    context = {"page_title": _("Residents' census"), "form": form, "page": page}
    return TemplateResponse(request, "accounts/admin/census.html", context)


@forbidden_as_403
def census_import_view(request, pk: int):
    """One import's report: its counts, and each skipped line with why."""
    record = get_object_or_404(CensusImport.objects.select_related("body", "uploaded_by"), pk=pk)
    if not has_role(request.user, Role.BUDGET_MANAGER, record.body):
        raise PermissionDenied
    context = {"page_title": _("Census import"), "record": record, "entries": record.entries.count()}
    return TemplateResponse(request, "accounts/admin/census_import.html", context)
