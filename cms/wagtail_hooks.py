from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CouncilMember, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "slug", "locale"]
    search_fields = ["name"]


class CouncilMemberViewSet(SnippetViewSet):
    model = CouncilMember
    icon = "user"
    menu_label = _("Council members")
    list_display = ["name", "party", "body", "term_start", "term_end"]
    list_filter = ["body"]
    search_fields = ["name_ar", "name_fr", "name_en", "party"]


register_snippet(TopicViewSet)
register_snippet(CouncilMemberViewSet)
