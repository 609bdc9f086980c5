from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


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
