"""The Atom feed of the works: the latest milestones of funded projects, newest first.

An entry says what happened, how far the works are and where; never who recorded it.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Milestone, Project, ProjectStatus
from .works import project_url

FEED_SIZE = 50


class WorksFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Works of the participatory budgets")

    def link(self):
        return reverse("budgeting:works")

    def subtitle(self):
        return _("The latest steps of the projects residents voted for, until they are built.")

    def items(self):
        funded = Project.objects.public().filter(status=ProjectStatus.SELECTED)
        return (
            Milestone.objects.filter(project__in=funded)
            .select_related("project__cycle__body", "project__district")
            .order_by("-date", "-created_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, milestone):
        project = milestone.project
        return _("%(reference)s · %(title)s: %(stage)s, %(progress)d%%") % {
            "reference": project.reference,
            "title": project.title,
            "stage": milestone.get_stage_display(),
            "progress": milestone.progress,
        }

    def item_description(self, milestone):
        project = milestone.project
        place = project.district.name if project.district_id else project.cycle.body.name
        return f"{project.cycle.title} · {place}\n\n{milestone.note}"

    def item_link(self, milestone):
        return project_url(milestone.project)

    def item_pubdate(self, milestone):
        return milestone.created_at

    def item_updateddate(self, milestone):
        return milestone.created_at

    def item_guid(self, milestone):
        return f"urn:baladiya:budgeting:milestone:{milestone.pk}"

    item_guid_is_permalink = False
