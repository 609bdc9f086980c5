"""Staff screens for bodies, districts and role grants, each limited to the bodies the user administers."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup

from .forms import PublicBodyForm, RoleGrantForm
from .models import District, PublicBody, RoleGrant
from .permissions import ADMINISTERING, BodyScopedPermissionPolicy, public_body_policy
from .viewsets import BodyScopedModelViewSet


class PublicBodyViewSet(BodyScopedModelViewSet):
    model = PublicBody
    policy = public_body_policy
    icon = "site"
    menu_label = _("Public bodies")

    def get_form_class(self, for_update=False):
        return PublicBodyForm

    list_display = ["name", "kind", "slug", "official_code"]
    list_filter = ["kind", "country"]
    search_fields = ["name_ar", "name_fr", "name_en", "slug"]
    ordering = ["path"]


class DistrictViewSet(BodyScopedModelViewSet):
    model = District
    policy = BodyScopedPermissionPolicy(District, body_field="body", action_roles=ADMINISTERING)
    icon = "globe"
    menu_label = _("Districts")
    form_fields = ["body", "slug", "name_ar", "name_fr", "name_en", "population", "boundary"]
    list_display = ["name", "body", "population"]
    list_related = ("body",)
    search_fields = ["name_ar", "name_fr", "name_en"]


class RoleGrantCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.granted_by = self.request.user
        return super().save_instance()


class RoleGrantViewSet(BodyScopedModelViewSet):
    model = RoleGrant
    policy = BodyScopedPermissionPolicy(RoleGrant, body_field="body", action_roles=ADMINISTERING)
    icon = "key"
    menu_label = _("Staff roles")
    list_display = ["user", "role", "body", "granted_by", "created_at"]
    list_filter = ["role"]
    list_related = ("user", "body", "granted_by")
    add_view_class = RoleGrantCreateView

    def get_form_class(self, for_update=False):
        return RoleGrantForm


class BodiesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Public bodies")
    menu_icon = "site"
    menu_order = 250
    items = (PublicBodyViewSet("public_bodies"), DistrictViewSet("districts"), RoleGrantViewSet("role_grants"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return BodiesViewSetGroup()
