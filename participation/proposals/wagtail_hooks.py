"""The Wagtail admin of proposals, under one "Proposals" menu: the proposals of one's bodies and their moves
(admin_views.py), the moderation queue, hidden content, repeat offenders and moderation log, and the
participatory spaces with their categories (administrators of the body). The audit log's names of the staff acts
are in log_actions.py."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from portal.bodies.permissions import ADMINISTERING, BodyScopedPermissionPolicy
from portal.bodies.viewsets import BodyScopedModelViewSet

from . import admin_views, staff
from .admin_forms import SpaceForm
from .models import Category, Space

# Participatory spaces and their categories (administrators of the body) -------------------------------------

space_policy = BodyScopedPermissionPolicy(Space, body_field="body", action_roles=ADMINISTERING)
category_policy = BodyScopedPermissionPolicy(Category, body_field="space__body", action_roles=ADMINISTERING)


class SpaceViewSet(BodyScopedModelViewSet):
    model = Space
    policy = space_policy
    icon = "group"
    menu_label = _("Participatory spaces")
    url_prefix = "proposals/spaces"
    list_display = ["title", "body", "opens_on", "closes_on", "support_threshold", "answer_days"]
    list_related = ("body",)
    search_fields = ["title_ar", "title_fr", "title_en", "slug"]

    def get_form_class(self, for_update=False):
        return SpaceForm


class CategoryViewSet(BodyScopedModelViewSet):
    model = Category
    policy = category_policy
    icon = "tag"
    menu_label = _("Categories")
    url_prefix = "proposals/categories"
    form_fields = ["space", "slug", "name_ar", "name_fr", "name_en"]
    list_display = ["name", "space", "slug"]
    list_filter = ["space"]
    list_related = ("space__body",)
    search_fields = ["name_ar", "name_fr", "name_en", "slug"]


# The proposals and their moderation (admin_views.py) -------------------------------------------------------

proposal_urls = [
    path("", admin_views.index_view, name="index"),
    path("<int:pk>/", admin_views.proposal_view, name="proposal"),
    path("<int:pk>/answer/", admin_views.answer_view, name="answer"),
    path("<int:pk>/hide/", admin_views.hide_view, name="hide"),
    path("<int:pk>/restore/", admin_views.restore_view, name="restore"),
    path("<int:pk>/dismiss/", admin_views.dismiss_view, name="dismiss"),
    path("<int:pk>/merge/", admin_views.merge_view, name="merge"),
    path("<int:pk>/convert/", admin_views.convert_view, name="convert"),
    path("comments/<int:pk>/hide/", admin_views.hide_comment_view, name="hide_comment"),
    path("comments/<int:pk>/restore/", admin_views.restore_comment_view, name="restore_comment"),
    path("comments/<int:pk>/dismiss/", admin_views.dismiss_comment_view, name="dismiss_comment"),
    path("moderation/", admin_views.queue_view, name="moderation"),
    path("moderation/hidden/", admin_views.hidden_view, name="hidden"),
    path("moderation/offenders/", admin_views.offenders_view, name="offenders"),
    path("moderation/log/", admin_views.log_view, name="moderation_log"),
]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.is_proposals_staff(request.user)


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.is_moderator(request.user)


class ProposalsAdminViewSet(ViewSet):
    name = "proposals_admin"
    url_prefix = "proposals"
    url_namespace = "proposals_admin"
    icon = "doc-full"
    menu_label = _("Proposals")
    menu_item_class = StaffMenuItem

    def get_urlpatterns(self):
        return proposal_urls

    def moderation_menu_items(self, order: int) -> list[MenuItem]:
        pages = [
            ("moderation", _("Moderation queue"), "warning"),
            ("hidden", _("Hidden content"), "view"),
            ("offenders", _("Repeat offenders"), "user"),
            ("moderation_log", _("Moderation log"), "list-ul"),
        ]
        return [
            ModeratorMenuItem(label, reverse(f"proposals_admin:{name}"), icon_name=icon, order=order + position)
            for position, (name, label, icon) in enumerate(pages)
        ]


class ProposalsViewSetGroup(ViewSetGroup):
    menu_label = _("Proposals")
    menu_icon = "doc-full"
    menu_order = 265
    items = (
        ProposalsAdminViewSet(),
        SpaceViewSet("proposal_spaces", menu_order=20),
        CategoryViewSet("proposal_categories", menu_order=21),
    )

    def get_submenu_items(self):
        proposals_viewset = self.registerables[0]
        return [*super().get_submenu_items(), *proposals_viewset.moderation_menu_items(order=10)]


@hooks.register("register_admin_viewset")
def register_proposals_viewsets():
    return ProposalsViewSetGroup()
