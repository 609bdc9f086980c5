"""The staff screen of saved searches: superusers only, to look at them and delete one; nobody adds or edits."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.bodies.permissions import SuperuserOnlyPermissionPolicy

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
