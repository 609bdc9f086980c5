"""Staff screens for associations: review, approve, reject or suspend, within the bodies one moderates."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.widgets import Button

from portal.bodies.models import Role
from portal.bodies.permissions import BodyScopedPermissionPolicy
from portal.bodies.viewsets import BodyScopedModelViewSet

from . import admin_views, census
from .models import Organisation

# Moderators review the associations of their bodies; deleting one (with its members and, later, its
# proposals) is for superusers: the others suspend it.
organisation_policy = BodyScopedPermissionPolicy(
    Organisation,
    body_field="body",
    action_roles={"add": (Role.MODERATOR,), "change": (Role.MODERATOR,), "view": (Role.MODERATOR,)},
)


def moderated_organisations(user):
    return organisation_policy.instances_user_has_any_permission_for(user, ["change"])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject")), ("suspend", _("Suspend"))],
    )
    reason = forms.CharField(label=_("Reason (shown to the association)"), widget=forms.Textarea, required=False)

    TARGETS = {
        "approve": Organisation.Status.APPROVED,
        "reject": Organisation.Status.REJECTED,
        "suspend": Organisation.Status.SUSPENDED,
    }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean(self):
        data = super().clean() or {}
        decision = data.get("decision")
        if decision and not self.organisation.can_become(self.TARGETS[decision]):
            raise forms.ValidationError(_("This decision is not possible from the association's current status."))
        if decision in {"reject", "suspend"} and not data.get("reason"):
            self.add_error("reason", _("Give the association the reason for this decision."))
        return data


class OrganisationEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(_("Decide"), url=reverse("organisations:decide", args=[self.object.pk]), icon_name="tick"),
        ]


def decide(request, pk):
    organisation = get_object_or_404(moderated_organisations(request.user), pk=pk)
    form = DecisionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        transition = getattr(organisation, form.cleaned_data["decision"])
        transition(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Decision recorded for %(name)s.") % {"name": organisation.name})
        return redirect("organisations:index")
    return TemplateResponse(
        request,
        "accounts/admin/decide.html",
        {"organisation": organisation, "form": form, "header_title": organisation.name},
    )


class OrganisationViewSet(BodyScopedModelViewSet):
    model = Organisation
    policy = organisation_policy
    icon = "group"
    menu_label = _("Associations")
    add_to_admin_menu = True
    menu_order = 260
    form_fields = ["name", "language", "description", "registration_number", "body", "email", "website"]
    list_display = ["name", "body", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "registration_number"]
    list_related = ("body",)
    edit_view_class = OrganisationEditView

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/decide/", decide, name="decide")]


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


# Resident verification (moderators; admin_views.py) ------------------------------------------------------

verification_urls = [
    path("", admin_views.index_view, name="index"),
    path("new/", admin_views.verify_view, name="verify"),
    path("<int:pk>/revoke/", admin_views.revoke_view, name="revoke"),
    path("conflicts/", admin_views.conflicts_view, name="conflicts"),
    path("census/", admin_views.census_view, name="census"),
    path("census/<int:pk>/", admin_views.census_import_view, name="census_import"),
]


@hooks.register("register_admin_urls")
def register_verification_urls():
    return [
        path("verifications/", include((verification_urls, "verifications_admin"), namespace="verifications_admin"))
    ]


class VerificationMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_verify(request.user)


@hooks.register("register_admin_menu_item")
def register_verification_menu_item():
    return VerificationMenuItem(
        _("Resident verification"), reverse("verifications_admin:index"), icon_name="user", order=262
    )


class CensusMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_import_census(request.user)


@hooks.register("register_admin_menu_item")
def register_census_menu_item():
    return CensusMenuItem(_("Residents' census"), reverse("verifications_admin:census"), icon_name="table", order=263)


@hooks.register("register_log_actions")
def register_organisation_actions(actions):
    actions.register_action("accounts.organisation.approve", _("Approve association"), _("Association approved"))
    actions.register_action("accounts.organisation.reject", _("Reject association"), _("Association rejected"))
    actions.register_action("accounts.organisation.suspend", _("Suspend association"), _("Association suspended"))
    actions.register_action("accounts.verify", _("Verify a resident"), _("Resident's identity verified"))
    actions.register_action(admin_views.REVOKE_LOG_ACTION, _("Revoke a verification"), _("Verification revoked"))
    actions.register_action(census.IMPORT_LOG_ACTION, _("Import a census"), _("Census imported"))
