"""The public moderation log: what the moderators of each body did, as counts (moderation.summary)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from portal.bodies.models import PublicBody

from . import moderation
from .models import ModerationEntry


@require_safe
def moderation_log(request):
    body = None
    if slug := request.GET.get("body"):
        body = get_object_or_404(PublicBody, slug=slug)
    context = {
        "summaries": moderation.summary(body),
        "body": body,
        "actions": ModerationEntry.Action.labels,
    }
    return render(request, "proposals/moderation_log.html", context)
