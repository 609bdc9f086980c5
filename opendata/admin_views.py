"""Views of the open-data admin: each limited to the records of the bodies the user manages.

Every screen is scoped to the user's bodies by portal.bodies.viewsets (through opendata.permissions' policies),
so a record of another body is a 404. Uploads go to opendata.services.add_version,
status changes and uploads are written to Wagtail's audit log next to its own create/edit/delete entries.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token
from wagtail.admin.panels import HelpPanel
from wagtail.admin.views import generic
from wagtail.log_actions import log

from . import ingest, permissions, services
from .models import Dataset, ProblemReport, Resource, ResourceVersion
from .uploads import refused_upload_fields

# Log actions of the open-data admin, registered in wagtail_hooks (uploads log theirs in services.py, a
# dataset's moves in models.py).
RESOLVE_LOG_ACTIONS = {True: "opendata.report.resolve", False: "opendata.report.reopen"}
TOKEN_LOG_ACTIONS = {True: "opendata.api_token.regenerate", False: "opendata.api_token.create"}

# Versions whose file is still being validated or loaded: their progress is shown and refreshed.
RUNNING_STATUSES = frozenset(
    {ResourceVersion.Status.PENDING, ResourceVersion.Status.VALIDATING, ResourceVersion.Status.LOADING}
)
# The page that follows a load asks again this often (seconds).
PROGRESS_REFRESH_SECONDS = 3
# More errors than this help nobody fix a file; the count of the rest is shown.
MAX_REPORT_ERRORS = 100


# Datasets


class DatasetStatusMixin:
    """The form's other fields are saved as they are; its status is reached through the dataset's moves, which
    check the person's role again, refuse a move the status does not allow and keep the history."""

    def save_instance(self):
        chosen = self.form.instance.status
        self.form.instance.status = self.form.old_status or Dataset.Status.DRAFT
        dataset = super().save_instance()
        dataset.set_status(chosen, by=self.request.user)
        return dataset


class DatasetCreateView(DatasetStatusMixin, generic.CreateView):
    pass


class DatasetEditView(DatasetStatusMixin, generic.EditView):
    pass


def dataset_resources_context(dataset: Dataset | None) -> dict:
    if dataset is None or dataset.pk is None:
        return {"resources": [], "add_url": None}
    return {
        "resources": dataset.resources.select_related("current_version"),
        "add_url": f"{reverse('opendata_resources:add')}?dataset={dataset.pk}",
    }


class ContextPanel(HelpPanel):
    """A panel that renders `template` with what `get_context(instance)` returns (read-only information)."""

    def __init__(self, template: str, get_context, **kwargs):
        super().__init__(template=template, **kwargs)
        self.get_context = get_context

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs.pop("content", None)
        kwargs["get_context"] = self.get_context
        return kwargs

    class BoundPanel(HelpPanel.BoundPanel):
        def is_shown(self):
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(self.panel.get_context(self.instance))
            return context


# Resources and their versions


def readable_report(report: dict | None) -> dict:
    """Return a validation report as `{"valid", "errors": [{"row", "field", "message"}], "warnings", "more"}`.

    Accepts Frictionless's report (errors in `tasks[].errors`, with `rowNumber` and `fieldName`) and the plain
    `{"errors": [...], "warnings": [...]}` shape, each entry a dict or a string.
    """
    if not report:
        return {"valid": None, "errors": [], "warnings": [], "more": 0}
    entries = list(report.get("errors") or [])
    warnings = list(report.get("warnings") or [])
    for task in report.get("tasks") or []:
        entries.extend(task.get("errors") or [])
        warnings.extend(task.get("warnings") or [])
    errors = [_readable_entry(entry) for entry in entries[:MAX_REPORT_ERRORS]]
    valid = report.get("valid")
    return {
        "valid": (not entries) if valid is None else bool(valid),
        "errors": errors,
        "warnings": [_readable_entry(warning)["message"] for warning in warnings],
        "more": max(0, len(entries) - MAX_REPORT_ERRORS),
        "stats": report.get("stats") or {},
        "schema_source": report.get("schema_source"),
    }


def _readable_entry(entry) -> dict:
    if not isinstance(entry, dict):
        return {"row": None, "field": None, "message": str(entry)}
    return {
        "row": _first(entry, "rowNumber", "row_number", "row"),
        "field": _first(entry, "fieldName", "field_name", "field"),
        "message": _first(entry, "message", "note", "title", "type") or "",
    }


def _first(entry: dict, *keys):
    return next((entry[key] for key in keys if entry.get(key) not in (None, "")), None)


def version_progress(version: ResourceVersion | None) -> dict | None:
    """Return the load progress of `version` (opendata.ingest.progress) and whether it still runs."""
    if version is None:
        return None
    progress = dict(ingest.progress(version))
    progress.setdefault("status", version.status)
    progress["version_id"] = version.pk
    progress["running"] = progress["status"] in RUNNING_STATUSES
    progress["status_label"] = ResourceVersion.Status(progress["status"]).label
    bytes_done, bytes_total = progress.get("bytes"), progress.get("total_bytes")
    if bytes_total and bytes_done is not None:
        progress["percent"] = min(100, int(100 * bytes_done / bytes_total))
    progress["url"] = reverse("opendata_admin_progress", args=[version.pk])
    progress["refresh"] = PROGRESS_REFRESH_SECONDS
    return progress


def latest_version(resource: Resource) -> ResourceVersion | None:
    return resource.versions.order_by("-number").first()


def version_download_url(resource: Resource, version: ResourceVersion) -> str:
    """The public address of a published dataset's file; staff reach the files of the others in the admin."""
    if resource.dataset.is_public:
        return reverse("downloads:version", args=[resource.uuid, version.number])
    return reverse("opendata_admin_version_file", args=[resource.pk, version.number])


def resource_versions_context(resource: Resource) -> dict:
    versions = list(resource.versions.select_related("uploaded_by").order_by("-number"))
    latest = versions[0] if versions else None
    return {
        "resource": resource,
        "versions": [(version, version_download_url(resource, version)) for version in versions],
        "latest": latest,
        "report": readable_report(latest.validation_report) if latest else None,
        "progress": version_progress(latest),
    }


class ResourceFormViewMixin:
    """Hands the uploaded file to add_version, and the size limit's refusals to the form."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["refused_uploads"] = refused_upload_fields(self.request)
        return kwargs

    def save_instance(self):
        resource = super().save_instance()
        if self.form.uploaded_file is not None:
            self.version = services.upload_version(
                resource, self.form.uploaded_file, self.request.user, header=self.form.header
            )
        return resource

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            # add_version refused the file: everything done in the transaction is undone.
            if not getattr(self, "object_existed", True):
                form.instance.pk = None
            form.add_error("file", error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ResourceCreateView(ResourceFormViewMixin, generic.CreateView):
    object_existed = False

    def get_initial(self):
        initial = super().get_initial()
        dataset = self.request.GET.get("dataset")
        if dataset and dataset.isdigit():
            initial["dataset"] = dataset
        return initial


class ResourceEditView(ResourceFormViewMixin, generic.EditView):
    pass


@never_cache
def version_progress_view(request, pk):
    """A small page with the load progress of a version, refreshing itself while the load runs."""
    version = get_object_or_404(
        ResourceVersion.objects.select_related("resource__dataset__body"),
        pk=pk,
        resource__in=permissions.get_editable_resources(request.user),
    )
    return TemplateResponse(
        request,
        "opendata/admin/progress_page.html",
        {"version": version, "resource": version.resource, "progress": version_progress(version)},
    )


@never_cache
def version_file_view(request, pk, number):
    """A version's file for the staff of its body, whatever the dataset's status."""
    version = get_object_or_404(
        ResourceVersion, resource__in=permissions.get_editable_resources(request.user), resource__pk=pk, number=number
    )
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.original_name)


# Problem reports


def set_report_resolved(report: ProblemReport, resolved: bool, user) -> None:
    """Mark `report` resolved now (or open again) and write it to the audit log; no change, no entry."""
    if resolved == (report.resolved_at is not None):
        return
    report.resolved_at = timezone.now() if resolved else None
    report.save(update_fields=["resolved_at"])
    log(instance=report, action=RESOLVE_LOG_ACTIONS[resolved], user=user)


class ProblemReportEditView(generic.EditView):
    success_message = gettext_lazy("Problem report updated.")

    def save_instance(self):
        report = self.form.instance
        set_report_resolved(report, self.form.cleaned_data["resolved"], self.request.user)
        return report


def problem_report_context(report: ProblemReport) -> dict:
    return {"report": report, "dataset_edit_url": reverse("opendata_datasets:edit", args=[report.dataset_id])}


# API tokens


@transaction.atomic
def regenerate_token(user) -> Token:
    """Give `user` a new API token, replacing the one they had (which stops working at once)."""
    had_one = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    # The entry goes on the user: a token's own label would be its key.
    log(instance=user, action=TOKEN_LOG_ACTIONS[had_one], user=user)
    return token


@never_cache
@require_http_methods(["GET", "POST"])
def api_token_view(request):
    """Show whether the user has an API token; on POST, create a new one and show its key this once."""
    new_token = regenerate_token(request.user) if request.method == "POST" else None
    token = new_token or Token.objects.filter(user=request.user).first()
    return TemplateResponse(
        request,
        "opendata/admin/api_token.html",
        {
            "token": token,
            "new_key": new_token.key if new_token else None,
            "header_title": _("API token"),
            "page_title": _("API token"),
        },
    )
