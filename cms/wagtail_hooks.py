from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import page_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.bodies.models import Role
from portal.bodies.permissions import BodyScopedPermissionPolicy
from portal.bodies.viewsets import BodyScopedSnippetViewSet

from . import admin_views
from .models import CouncilMember, DecisionAttachment, Topic

# The council's staff keep its list of members; roll-call votes choose among them.
COUNCIL_STAFF = (Role.EDITOR, Role.PUBLISHER)


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "slug", "locale"]
    search_fields = ["name"]


class CouncilMemberViewSet(BodyScopedSnippetViewSet):
    model = CouncilMember
    policy = BodyScopedPermissionPolicy(
        CouncilMember, body_field="body", action_roles=dict.fromkeys(("add", "change", "delete", "view"), COUNCIL_STAFF)
    )
    list_related = ("body",)
    icon = "user"
    menu_label = _("Council members")
    list_display = ["name", "party", "body", "term_start", "term_end"]
    list_filter = ["body"]
    search_fields = ["name_ar", "name_fr", "name_en", "party"]


register_snippet(TopicViewSet)
register_snippet(CouncilMemberViewSet)


def visible_pages(user) -> Q:
    """The pages `user` may see in a chooser: live ones, and those they may edit (their bodies' drafts)."""
    editable = page_permission_policy.instances_user_has_any_permission_for(user, ["change", "publish"])
    return Q(live=True) | Q(pk__in=editable.values("pk"))


@hooks.register("construct_page_chooser_queryset")
def hide_other_bodies_drafts(pages, request):
    """Staff choose among live pages and the pages they may edit: another body's drafts stay out of sight."""
    return pages if request.user.is_superuser else pages.filter(visible_pages(request.user))


@hooks.register("construct_document_chooser_queryset")
def hide_other_bodies_documents(documents, request):
    """Staff choose their own uploads and the documents of the pages they may see."""
    user = request.user
    if user.is_superuser:
        return documents
    shown = DecisionAttachment.objects.filter(page__in=Page.objects.filter(visible_pages(user)))
    return documents.filter(Q(uploaded_by_user=user) | Q(pk__in=shown.values("document")))


class ImportDecisionsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.publishable_councils(request.user).exists()


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("decisions/import/", admin_views.import_decisions_view, name="cms_import_decisions")]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportDecisionsMenuItem(
        _("Import decisions"), reverse("cms_import_decisions"), icon_name="upload", order=250
    )


@hooks.register("register_log_actions")
def register_import_log_action(actions):
    actions.register_action(admin_views.IMPORT_LOG_ACTION, _("Import decisions"), _("Decisions imported from a file"))
