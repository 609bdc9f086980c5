"""The "Harvesting" screens of the Wagtail admin: sources (scoped to the person's bodies), their jobs, a job's report.

The generic create, edit and delete views write the audit trail (ModelLogEntry); running a source by hand is
logged as `harvesters.run`.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.widgets import ListingButton

from portal.bodies.viewsets import BodyScopedModelViewSet

from . import admin_views
from .auth import source_policy
from .forms import HarvestSourceForm
from .models import HarvestSource


class SourceIndexView(IndexView):
    def get_list_buttons(self, instance):
        jobs = ListingButton(
            _("Jobs"), url=reverse("harvesters:source_jobs", args=[instance.pk]), icon_name="history", priority=5
        )
        return [jobs, *super().get_list_buttons(instance)]


class HarvestSourceViewSet(BodyScopedModelViewSet):
    model = HarvestSource
    policy = source_policy
    icon = "download"
    menu_label = _("Harvest sources")
    menu_order = 280
    add_to_admin_menu = True
    index_view_class = SourceIndexView
    list_related = ("body",)
    list_display = ["name", "kind", "target", "body", "schedule", "active"]
    list_filter = ["kind", "target", "active"]
    search_fields = ["name", "slug", "url"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("target")]),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldPanel("url"), FieldPanel("upload"), FieldPanel("folder")], heading=_("Where to read")
            ),
            FieldPanel("options"),
            FieldPanel("mapping"),
            FieldPanel("schedule"),
            FieldRowPanel([FieldPanel("publish"), FieldPanel("active")]),
            FieldRowPanel([FieldPanel("withdraw_after"), FieldPanel("error_threshold")]),
            FieldPanel("owner"),
        ],
        base_form_class=HarvestSourceForm,
    )


harvest_urls = [
    path("sources/<int:pk>/jobs/", admin_views.source_jobs_view, name="source_jobs"),
    path("sources/<int:pk>/run/", admin_views.run_source_view, name="run"),
    path("jobs/<int:pk>/", admin_views.job_view, name="job"),
]


@hooks.register("register_admin_viewset")
def register_viewset():
    return HarvestSourceViewSet("harvest_sources")


@hooks.register("register_admin_urls")
def register_harvest_urls():
    return [path("harvest/", include((harvest_urls, "harvesters"), namespace="harvesters"))]


@hooks.register("register_log_actions")
def register_run_log_action(actions):
    actions.register_action(admin_views.RUN_LOG_ACTION, _("Run a harvest"), _("Harvest started by hand"))
