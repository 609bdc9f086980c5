"""Who hears of what happens in a cycle: a project's author and followers of its review, of the results and of
each step of its works; voters who began a ballot and did not confirm it, once, before voting closes. Everything
goes through portal.accounts.notifications (on the site and by email, in each one's language).
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.notifications import notify

from .models import Project


def _followers(project: Project):
    return get_user_model().objects.filter(pk__in=project.follows.values("user"), is_active=True)


def tell_followers(project: Project) -> None:
    """The project's status, result or works changed: its followers hear of it."""
    fresh = Project.objects.select_related("cycle").get(pk=project.pk)

    def compose():
        status = fresh.get_status_display()
        if fresh.status == "selected" and fresh.progress:
            status = _("%(stage)s, %(progress)d%% done") % {
                "stage": fresh.get_stage_display(),
                "progress": fresh.progress,
            }
        return (
            _("%(reference)s: %(status)s") % {"reference": fresh.reference, "status": status},
            _("The project “%(title)s” is now: %(status)s.") % {"title": fresh.title, "status": status},
        )

    notify(_followers(fresh), compose, fresh.get_absolute_url)


def tell_results(cycle) -> None:
    """Results are out: followers of each project hear whether it was funded."""
    for project in cycle.projects.on_ballot().select_related("cycle"):
        tell_followers(project)


def remind_to_confirm(draft) -> None:
    cycle = draft.cycle

    def compose():
        return (
            _("Your ballot is not cast yet"),
            _(
                "You began a ballot in “%(cycle)s” but did not confirm it. It counts only once confirmed, "
                "before %(closes)s."
            )
            % {
                "cycle": cycle.title,
                "closes": date_format(timezone.localtime(cycle.voting_closes_at), "DATETIME_FORMAT"),
            },
        )

    notify([draft.user], compose, lambda: cycle.get_absolute_url() + "ballot/")
