"""The email a source's owner gets when a job fails or reports more errors than the source tolerates."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import HarvestJob


def needs_attention(job: HarvestJob) -> bool:
    return job.status == HarvestJob.Status.FAILED or job.failed > job.source.error_threshold


def notify_owner(job: HarvestJob) -> bool:
    """Email the owner of `job`'s source, in their language, when the job needs attention; True if sent."""
    owner = job.source.owner
    if owner is None or not owner.email or not needs_attention(job):
        return False
    with translation.override(getattr(owner, "preferred_language", None) or settings.LANGUAGE_CODE):
        context = {
            "job": job,
            "source": job.source,
            "errors": list(job.errors.all()[:20]),
            "job_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("harvesters:job", args=[job.pk]),
        }
        if job.status == HarvestJob.Status.FAILED:
            subject = _("Harvest failed: %(source)s") % {"source": job.source}
        else:
            subject = _("Harvest with %(count)s errors: %(source)s") % {"count": job.failed, "source": job.source}
        body = render_to_string("harvesters/emails/job_report.txt", context)
    send_mail(" ".join(subject.split()), body, None, [owner.email])
    return True
