"""The Wagtail admin of participatory budgeting, under one "Participatory budgeting" menu: the cycles (budget
managers) and the paper ballots (polling officers and budget managers). The screens are in admin_views.py, their
addresses in admin_urls.py; the audit log's names of the staff acts are in log_actions.py."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from . import admin_urls, staff


class CyclesMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.is_budget_manager(request.user)


class PaperMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.counts_paper_somewhere(request.user)


class BudgetingAdminViewSet(ViewSet):
    name = "budgeting_admin"
    url_prefix = "budgeting"
    url_namespace = "budgeting_admin"
    icon = "table"
    menu_label = _("Cycles")
    menu_item_class = CyclesMenuItem

    def get_urlpatterns(self):
        return admin_urls.urlpatterns

    def paper_menu_item(self, order: int) -> MenuItem:
        return PaperMenuItem(_("Paper ballots"), reverse("budgeting_admin:paper"), icon_name="form", order=order)


class BudgetingViewSetGroup(ViewSetGroup):
    menu_label = _("Participatory budgeting")
    menu_icon = "table"
    menu_order = 266
    items = (BudgetingAdminViewSet(),)

    def get_submenu_items(self):
        viewset = self.registerables[0]
        return [*super().get_submenu_items(), viewset.paper_menu_item(order=10)]


@hooks.register("register_admin_viewset")
def register_budgeting_viewsets():
    return BudgetingViewSetGroup()
