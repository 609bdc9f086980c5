from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.bodies.models import Role
from portal.bodies.permissions import BodyScopedPermissionPolicy
from portal.bodies.viewsets import BodyScopedSnippetViewSet

from .models import CouncilMember, Topic

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
