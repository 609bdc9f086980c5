"""What people searched for and did not find (the index itself is the core's portal.models.SearchEntry)."""

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .services import SearchQuery


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


class SavedSearchQuerySet(models.QuerySet):
    def confirmed(self):
        """The saved searches whose address was confirmed: the only ones that get alerts."""
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed_since(self, moment: datetime.datetime):
        """The saved searches still unconfirmed that were asked for before `moment`."""
        return self.filter(confirmed_at__isnull=True, created_at__lt=moment)


class SavedSearch(models.Model):
    """A search someone asked to hear about by email when new records match it; no account needed.

    Double opt-in: saved unconfirmed, it sends nothing until the link mailed to the address is followed
    (`confirm`). Its address is never shown on a public page; every email carries a link that deletes it.
    """

    email = models.EmailField(_("email address"))
    # The search's parameters, as search.services.SearchQuery names them (without the sort): only those given.
    query = models.JSONField(_("search"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Entries that entered the search after this moment are news for the next alert.
    notified_until = models.DateTimeField(_("announced until"), null=True, blank=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            # Saving the same search again for the same address finds the first one (search.alerts.save_search).
            models.UniqueConstraint(fields=["email", "query"], name="search_saved_unique_email_query"),
        ]

    def __str__(self):
        return self.query.get("q", "")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def search_query(self) -> "SearchQuery":
        """Return the search this saved search runs; names SearchQuery no longer has are ignored."""
        from .services import SearchQuery  # the services import this module

        known = {field.name for field in dataclasses.fields(SearchQuery)}
        return SearchQuery(**{name: value for name, value in self.query.items() if name in known})

    def confirm(self, now: datetime.datetime) -> None:
        """Start the alerts: records that enter the search after `now` are news. Confirming again changes nothing."""
        if self.is_confirmed:
            return
        self.confirmed_at = self.notified_until = now
        self.save(update_fields=["confirmed_at", "notified_until"])

    def move_watermark(self, to: datetime.datetime | None) -> bool:
        """Set the watermark to `to`; return False when another worker moved it first (that one sends the alert)."""
        # A conditional UPDATE: two runs of the alerts at once must not both mail the same news.
        moved = SavedSearch.objects.filter(pk=self.pk, notified_until=self.notified_until).update(notified_until=to)
        if moved:
            self.notified_until = to
        return bool(moved)
