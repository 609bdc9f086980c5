"""The "Proposals" section of every body's page (portal.bodies.sections): the body's participatory spaces and
what became of the proposals it received, counting the bodies below it."""

from django.db.models import Count, Q
from django.utils import timezone

from portal.bodies.sections import register_section

from .models import PUBLIC_STATUSES, Proposal, Space, Status

ANSWERED = [Status.ACCEPTED, Status.REJECTED, Status.NOT_COMPETENT, Status.ALREADY_PLANNED, Status.CONVERTED]


def body_figures(body) -> dict:
    """Public proposals of `body` and the bodies below it, one query."""
    today = timezone.localdate()
    return Proposal.objects.filter(space__body__path__startswith=body.path, status__in=PUBLIC_STATUSES).aggregate(
        published=Count("pk"),
        awaiting_answer=Count("pk", filter=Q(status__in=[Status.THRESHOLD_REACHED, Status.EVALUATING])),
        overdue=Count("pk", filter=Q(status__in=[Status.THRESHOLD_REACHED, Status.EVALUATING], answer_due__lt=today)),
        answered=Count("pk", filter=Q(status__in=ANSWERED)),
        accepted=Count("pk", filter=Q(status__in=[Status.ACCEPTED, Status.CONVERTED])),
    )


@register_section
def proposals_section(request, body) -> tuple[str, dict] | None:
    spaces = list(Space.objects.filter(body__path__startswith=body.path).select_related("body")[:10])
    if not spaces:
        return None
    return "proposals/body_section.html", {"spaces": spaces, "figures": body_figures(body)}
