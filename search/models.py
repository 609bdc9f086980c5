"""What people searched for and did not find (the index itself is the core's portal.models.SearchEntry)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnansweredQuery(models.Model):
    """A query that found nothing, counted per day: what people miss, without who they are.

    The searches themselves are counted by Wagtail's search promotions (Query.add_hit), whose report and
    promoted results staff already know.
    """

    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=255)
    times = models.PositiveIntegerField(_("times"), default=0)

    class Meta:
        verbose_name = _("query that found nothing")
        verbose_name_plural = _("queries that found nothing")
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="search_unanswered_unique_day")]
        # The staff report: the last weeks' queries, most missed first.
        indexes = [models.Index(fields=["day", "-times"], name="search_unanswered_day")]

    def __str__(self):
        return self.query
