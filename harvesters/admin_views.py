"""The harvest screens beside the sources' listing: a source's jobs with "Run now", and one job's report.

Each view finds the source among those the person may see (harvesters.auth), so another body's source or job
is a 404; running one takes the right to change it. A running job's page refreshes itself every few seconds
(no JavaScript needed) to show its live counts.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import log

from .auth import source_policy, sources_for
from .models import HarvestJob, HarvestSource
from .runner import SourceBusy
from .schedules import describe_cron
from .tasks import queue_run

RUN_LOG_ACTION = "harvesters.run"
ERRORS_PER_PAGE = 100


def _source(request, pk: int) -> HarvestSource:
    return get_object_or_404(sources_for(request.user, "view").select_related("body", "owner"), pk=pk)


def source_jobs_view(request, pk: int):
    source = _source(request, pk)
    jobs = source.jobs.select_related("started_by")[:50]
    context = {
        "source": source,
        "jobs": jobs,
        "schedule_in_words": describe_cron(source.schedule) if source.schedule else "",
        "can_run": source_policy.user_has_permission_for_instance(request.user, "change", source),
        "page_title": source.name,
        "running": any(job.status in (HarvestJob.Status.QUEUED, HarvestJob.Status.RUNNING) for job in jobs[:1]),
    }
    return TemplateResponse(request, "harvesters/admin/source_jobs.html", context)


@require_POST
def run_source_view(request, pk: int):
    source = _source(request, pk)
    if not source_policy.user_has_permission_for_instance(request.user, "change", source):
        raise PermissionDenied
    try:
        job = queue_run(source, user=request.user)
    except SourceBusy as busy:
        messages.warning(request, str(busy))
        return redirect("harvesters:source_jobs", pk=source.pk)
    log(instance=source, action=RUN_LOG_ACTION, user=request.user, data={"job": job.pk})
    messages.success(request, _("The harvest of “%(source)s” is under way.") % {"source": source})
    return redirect("harvesters:job", pk=job.pk)


def job_view(request, pk: int):
    job = get_object_or_404(HarvestJob.objects.select_related("source", "source__body", "started_by"), pk=pk)
    if not sources_for(request.user, "view").filter(pk=job.source_id).exists():
        raise Http404
    errors = Paginator(job.errors.select_related("object").order_by("pk"), ERRORS_PER_PAGE)
    context = {
        "job": job,
        "source": job.source,
        "errors": errors.get_page(request.GET.get("p")),
        "live": job.status in (HarvestJob.Status.QUEUED, HarvestJob.Status.RUNNING),
        "page_title": _("Harvest job"),
    }
    return TemplateResponse(request, "harvesters/admin/job.html", context)
