"""The "Open data" menu of the Wagtail admin: datasets, resources and problem reports of the user's bodies,
licences and themes for superusers, and each staff member's API token."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, TabbedInterface
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from portal.bodies.permissions import SuperuserOnlyPermissionPolicy
from portal.bodies.viewsets import BodyScopedModelViewSet

from . import admin_views, permissions
from .admin_forms import (
    DatasetFilterSet,
    DatasetForm,
    ProblemReportFilterSet,
    ProblemReportForm,
    ResourceFilterSet,
    ResourceForm,
)
from .models import Dataset, Licence, ProblemReport, Resource, Theme
from .uploads import limit_upload_size

# Registered before any view asks, or Wagtail would have made a fallback policy (Django model permissions).
register_permission_policy(Licence, SuperuserOnlyPermissionPolicy(Licence))
register_permission_policy(Theme, SuperuserOnlyPermissionPolicy(Theme))


def language_tabs(*fields: str) -> list[ObjectList]:
    """One tab per language, Arabic first, headed by the language's own name."""
    return [
        ObjectList([FieldPanel(f"{field}_{code}") for field in fields], heading=name)
        for code, name in settings.LANGUAGES
    ]


class ReferenceDataViewSet(ModelViewSet):
    """Licences and themes: superusers only, through their policy; no Django permissions to tick in groups."""

    copy_view_enabled = False

    def get_permissions_to_register(self):
        return Permission.objects.none()


class DatasetViewSet(BodyScopedModelViewSet):
    model = Dataset
    policy = permissions.dataset_policy
    icon = "table"
    menu_label = _("Datasets")
    list_related = ("body",)
    add_view_class = admin_views.DatasetCreateView
    edit_view_class = admin_views.DatasetEditView
    list_display = ["__str__", "body", "status", "modified_at"]
    filterset_class = DatasetFilterSet
    search_fields = ["name", "title_ar", "title_fr", "title_en", "notes_ar", "notes_fr", "notes_en"]
    edit_handler = TabbedInterface(
        [
            # What a dataset needs comes first: a new one saves on the first try from this tab alone.
            ObjectList(
                [
                    FieldPanel("title_ar"),
                    FieldPanel("title_fr"),
                    FieldPanel("title_en"),
                    FieldPanel("body"),
                    FieldPanel("licence"),
                    FieldPanel("name"),
                    FieldPanel("status"),
                ],
                heading=_("Essentials"),
            ),
            *language_tabs("notes"),
            ObjectList(
                [
                    FieldPanel("themes"),
                    FieldPanel("tags"),
                    FieldPanel("frequency"),
                    FieldRowPanel([FieldPanel("temporal_start"), FieldPanel("temporal_end")]),
                    FieldPanel("spatial"),
                    FieldPanel("version"),
                    FieldPanel("contact_email"),
                ],
                heading=_("Details"),
            ),
            ObjectList(
                [
                    admin_views.ContextPanel(
                        "opendata/admin/dataset_resources.html", admin_views.dataset_resources_context
                    )
                ],
                heading=_("Resources"),
            ),
        ],
        base_form_class=DatasetForm,
    )


class ResourceViewSet(BodyScopedModelViewSet):
    model = Resource
    policy = permissions.resource_policy
    icon = "doc-full"
    menu_label = _("Resources")
    list_related = ("dataset", "current_version")
    add_view_class = admin_views.ResourceCreateView
    edit_view_class = admin_views.ResourceEditView
    list_display = ["__str__", "dataset", "format", "current_version", "modified_at"]
    filterset_class = ResourceFilterSet
    search_fields = ["name_ar", "name_fr", "name_en", "format", "dataset__name"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("dataset"),
                    FieldPanel("file"),
                    FieldPanel("first_row"),
                    FieldPanel("url"),
                    FieldPanel("format"),
                    FieldPanel("position"),
                    FieldPanel("declared_schema"),
                ],
                heading=_("File or link"),
            ),
            *language_tabs("name", "description"),
            ObjectList(
                [
                    admin_views.ContextPanel(
                        "opendata/admin/resource_versions.html", admin_views.resource_versions_context
                    )
                ],
                heading=_("Versions and validation"),
            ),
        ],
        base_form_class=ResourceForm,
    )

    # The size limit must be in place before anything reads the request body.
    @cached_property
    def add_view(self):
        return limit_upload_size(super().add_view)

    @cached_property
    def edit_view(self):
        return limit_upload_size(super().edit_view)


class ProblemReportViewSet(BodyScopedModelViewSet):
    model = ProblemReport
    policy = permissions.problem_report_policy
    icon = "warning"
    menu_label = _("Problem reports")
    list_related = ("dataset",)
    edit_view_class = admin_views.ProblemReportEditView
    list_display = ["__str__", "dataset", "kind", "created_at", "resolved_at"]
    filterset_class = ProblemReportFilterSet
    search_fields = ["message", "dataset__name", "dataset__title_ar", "dataset__title_fr"]
    edit_handler = ObjectList(
        [
            admin_views.ContextPanel("opendata/admin/problem_report.html", admin_views.problem_report_context),
            FieldPanel("resolved"),
        ],
        base_form_class=ProblemReportForm,
    )


class LicenceViewSet(ReferenceDataViewSet):
    model = Licence
    icon = "doc-empty"
    menu_label = _("Licences")
    list_display = ["__str__", "slug", "is_open", "position"]
    form_fields = [
        "slug",
        "title_ar",
        "title_fr",
        "title_en",
        "summary_ar",
        "summary_fr",
        "summary_en",
        "url",
        "is_open",
        "position",
    ]


class ThemeViewSet(ReferenceDataViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    list_display = ["__str__", "code", "slug"]
    form_fields = ["code", "slug", "name_ar", "name_fr", "name_en"]


class ApiTokenViewSet(ViewSet):
    """Each staff member's own API token, for the CKAN and REST APIs."""

    icon = "key"
    menu_label = _("API token")

    def get_urlpatterns(self):
        return [path("", admin_views.api_token_view, name="index")]


class OpenDataViewSetGroup(ModelViewSetGroup):
    menu_label = _("Open data")
    menu_icon = "table"
    menu_order = 260
    items = (
        DatasetViewSet("opendata_datasets"),
        ResourceViewSet("opendata_resources"),
        ProblemReportViewSet("opendata_problem_reports"),
        LicenceViewSet("opendata_licences"),
        ThemeViewSet("opendata_themes"),
        ApiTokenViewSet("opendata_api_token"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return OpenDataViewSetGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "opendata/versions/<int:pk>/progress/",
            admin_views.version_progress_view,
            name="opendata_admin_progress",
        ),
        path(
            "opendata/resources/<int:pk>/v<int:number>/",
            admin_views.version_file_view,
            name="opendata_admin_version_file",
        ),
    ]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("opendata.publish", _("Publish dataset"), _("Dataset published"))
    actions.register_action("opendata.withdraw", _("Withdraw dataset"), _("Dataset withdrawn"))
    actions.register_action("opendata.unpublish", _("Dataset back to draft"), _("Dataset back to draft"))
    actions.register_action("opendata.upload", _("Upload a file"), _("File uploaded as a new version"))
    actions.register_action("opendata.report.resolve", _("Resolve a problem report"), _("Problem report resolved"))
    actions.register_action("opendata.report.reopen", _("Reopen a problem report"), _("Problem report reopened"))
    actions.register_action("opendata.api_token.create", _("Create an API token"), _("API token created"))
    actions.register_action("opendata.api_token.regenerate", _("Regenerate an API token"), _("API token regenerated"))
