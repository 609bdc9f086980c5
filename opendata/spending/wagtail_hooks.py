from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .auth import get_spending_bodies

# ---------------------------------------------------------------------------------------------------------------
# The spending import: upload, map, preview, import (opendata.spending.admin_views)


class ImportSpendingMenuItem(MenuItem):
    def is_shown(self, request):
        return get_spending_bodies(request.user).exists()


@hooks.register("register_admin_urls")
def register_spending_import_urls():
    return [path("spending/import/", admin_views.import_spending_view, name="spending_import")]


@hooks.register("register_admin_menu_item")
def register_spending_import_menu_item():
    return ImportSpendingMenuItem(_("Import spending"), reverse("spending_import"), icon_name="upload", order=260)


@hooks.register("register_log_actions")
def register_spending_import_log_action(actions):
    actions.register_action(
        admin_views.IMPORT_LOG_ACTION, _("Import spending"), _("Budget lines, subsidies or payments imported")
    )


# End of the spending import
# ---------------------------------------------------------------------------------------------------------------
