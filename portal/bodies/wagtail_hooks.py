"""Staff screens for bodies, districts and role grants, each limited to the bodies the user administers."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .auth import get_bodies_with_role
from .forms import PublicBodyForm
from .models import District, PublicBody, Role, RoleGrant


class BodyScopedViewMixin:
    """Show and change only records of bodies the user administers; 404 for the others."""

    body_lookup = "body"

    def administered_bodies(self):
        return get_bodies_with_role(self.request.user, Role.ADMINISTRATOR)

    def get_queryset(self):
        lookup = f"{self.body_lookup}__in" if self.body_lookup else "pk__in"
        return super().get_queryset().filter(**{lookup: self.administered_bodies()})

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            if getattr(field, "queryset", None) is not None and field.queryset.model is PublicBody:
                field.queryset = field.queryset.filter(pk__in=self.administered_bodies())
        return form


def scoped(view_class, body_lookup="body"):
    return type(f"Scoped{view_class.__name__}", (BodyScopedViewMixin, view_class), {"body_lookup": body_lookup})


class PublicBodyViewSet(ModelViewSet):
    model = PublicBody
    icon = "site"
    menu_label = _("Public bodies")

    def get_form_class(self, for_update=False):
        return PublicBodyForm

    list_display = ["name", "kind", "slug", "official_code"]
    list_filter = ["kind", "country"]
    search_fields = ["name_ar", "name_fr", "name_en", "slug"]
    ordering = ["path"]
    index_view_class = scoped(generic.IndexView, body_lookup="")
    add_view_class = scoped(generic.CreateView, body_lookup="")
    edit_view_class = scoped(generic.EditView, body_lookup="")
    delete_view_class = scoped(generic.DeleteView, body_lookup="")
    inspect_view_enabled = True


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "globe"
    menu_label = _("Districts")
    form_fields = ["body", "slug", "name_ar", "name_fr", "name_en", "population", "boundary"]
    list_display = ["name", "body", "population"]
    search_fields = ["name_ar", "name_fr", "name_en"]
    index_view_class = scoped(generic.IndexView)
    add_view_class = scoped(generic.CreateView)
    edit_view_class = scoped(generic.EditView)
    delete_view_class = scoped(generic.DeleteView)


class RoleGrantCreateView(scoped(generic.CreateView)):
    def save_instance(self):
        self.form.instance.granted_by = self.request.user
        return super().save_instance()


class RoleGrantViewSet(ModelViewSet):
    model = RoleGrant
    icon = "key"
    menu_label = _("Staff roles")
    form_fields = ["user", "body", "role"]
    list_display = ["user", "role", "body", "granted_by", "created_at"]
    list_filter = ["role"]
    index_view_class = scoped(generic.IndexView)
    add_view_class = RoleGrantCreateView
    edit_view_class = scoped(generic.EditView)
    delete_view_class = scoped(generic.DeleteView)


class BodiesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Public bodies")
    menu_icon = "site"
    menu_order = 250
    items = (PublicBodyViewSet("public_bodies"), DistrictViewSet("districts"), RoleGrantViewSet("role_grants"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return BodiesViewSetGroup()
