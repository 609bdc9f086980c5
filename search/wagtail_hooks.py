"""The staff screen of saved searches: superusers only, to look at them and delete one; nobody adds or edits."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.bodies.permissions import SuperuserOnlyPermissionPolicy

from . import admin_views
from .models import SavedSearch

# Saved searches are made by their owners through the emails' links: staff only read and delete them.
ALLOWED_ACTIONS = {"view", "delete"}


class SavedSearchPermissionPolicy(SuperuserOnlyPermissionPolicy):
    """Saved searches hold people's addresses: only active superusers see them, whatever groups grant."""

    def user_has_permission(self, user, action):
        return action in ALLOWED_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return bool(ALLOWED_ACTIONS & set(actions)) and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        return users if ALLOWED_ACTIONS & set(actions) else users.none()


# Registered before any view asks, or Wagtail would have made a fallback policy (Django model permissions).
register_permission_policy(SavedSearch, SavedSearchPermissionPolicy(SavedSearch))


class SavedSearchViewSet(ModelViewSet):
    model = SavedSearch
    icon = "search"
    menu_label = _("Saved searches")
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["email", "language"]  # never offered: nobody may add or edit (SavedSearchPermissionPolicy)
    list_display = ["__str__", "language", "confirmed_at", "created_at"]
    list_filter = ["language"]
    search_fields = ["email"]
    ordering = ["-created_at"]


@hooks.register("register_admin_viewset")
def register_saved_search_viewset():
    return SavedSearchViewSet("saved-searches")


class SearchStatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_read_statistics(request.user)


@hooks.register("register_admin_urls")
def register_statistics_urls():
    return [path("reports/searches/", admin_views.search_statistics, name="search_statistics")]


@hooks.register("register_reports_menu_item")
def register_statistics_menu_item():
    return SearchStatisticsMenuItem(
        _("What people search for"), reverse("search_statistics"), icon_name="search", order=1290
    )


@hooks.register("register_permissions")
def register_statistics_permission():
    return Permission.objects.filter(content_type__app_label="search", codename="view_unansweredquery")
