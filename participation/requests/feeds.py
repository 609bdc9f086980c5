"""The Atom feed of the archive: the latest public requests and complaints, one body's or all of them.

An entry says what was asked and where the case stands; it never names the requester (not even one who chose to
be named on the page: a feed is copied and kept elsewhere).
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody

from .models import Case
from .redaction import redact_case_text

FEED_SIZE = 50


class CasesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(PublicBody, slug=slug) if slug else None

    def title(self, body):
        if body:
            return _("Information requests to %(body)s") % {"body": body}
        return _("Information requests and complaints")

    def link(self, body):
        url = reverse("information_requests:list")
        return f"{url}?body={body.slug}" if body else url

    def subtitle(self, body):
        return _("The latest requests and complaints filed on the portal, and where each stands.")

    def items(self, body):
        cases = Case.objects.public().select_related("body")
        if body:
            cases = cases.filter(body__path__startswith=body.path)
        return cases.order_by("-updated_at", "-pk")[:FEED_SIZE]

    def item_title(self, case):
        return f"{case.reference} · {redact_case_text(case, case.subject, hide_name=True)}"

    def item_description(self, case):
        text = redact_case_text(case, case.text[:2000], hide_name=True)
        return f"{case.body} · {case.get_status_display()}\n\n{text[:1000]}"

    def item_updateddate(self, case):
        return case.updated_at

    def item_pubdate(self, case):
        return case.created_at

    def item_guid(self, case):
        return f"urn:uuid:{case.uuid}"

    item_guid_is_permalink = False
