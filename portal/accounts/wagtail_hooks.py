"""Staff screens for associations: review, approve, reject or suspend, within the bodies one moderates."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from portal.bodies.auth import get_bodies_with_role
from portal.bodies.models import Role

from .models import Organisation


def moderated_organisations(user):
    return Organisation.objects.filter(body__in=get_bodies_with_role(user, Role.MODERATOR))


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
        data = super().clean()
        decision = data.get("decision")
        if decision and not self.organisation.can_become(self.TARGETS[decision]):
            raise forms.ValidationError(_("This decision is not possible from the association's current status."))
        if decision in {"reject", "suspend"} and not data.get("reason"):
            self.add_error("reason", _("Give the association the reason for this decision."))
        return data


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return moderated_organisations(self.request.user).select_related("body")


class ScopedEditView(generic.EditView):
    def get_queryset(self):
        return moderated_organisations(self.request.user)

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(_("Decide"), url=reverse("organisations:decide", args=[self.object.pk]), icon_name="tick"),
        ]


def decide(request, pk):
    organisation = get_object_or_404(moderated_organisations(request.user), pk=pk)
    if not request.user.has_perm("accounts.change_organisation"):
        raise PermissionDenied
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


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Associations")
    add_to_admin_menu = True
    menu_order = 260
    form_fields = ["name", "language", "description", "registration_number", "body", "email", "website"]
    list_display = ["name", "body", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "registration_number"]
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/decide/", decide, name="decide")]


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


@hooks.register("register_log_actions")
def register_organisation_actions(actions):
    actions.register_action("accounts.organisation.approve", _("Approve association"), _("Association approved"))
    actions.register_action("accounts.organisation.reject", _("Reject association"), _("Association rejected"))
    actions.register_action("accounts.organisation.suspend", _("Suspend association"), _("Association suspended"))
