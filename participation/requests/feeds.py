"""The Atom feed of the archive: the latest public requests and complaints, one body's or all of them.

An entry says what was asked and where the case stands; it never names the requester (not even one who chose to
be named on the page: a feed is copied and kept elsewhere).
"""

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody

from .models import Case, Message
from .redaction import identity_terms, redact_text


def nameless(case: Case, published: str) -> str:
    """A published text without the requester's name even where they chose to show it (the rest is gone already)."""
    return redact_text(published, identity_terms(case.requester_name, "", "", "")) if case.show_name else published


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
        requests = Prefetch("messages", Message.objects.filter(kind=Message.Kind.REQUEST), to_attr="requests")
        cases = Case.objects.public().select_related("body").prefetch_related(requests)
        if body:
            cases = cases.filter(body__path__startswith=body.path)
        return cases.order_by("-updated_at", "-pk")[:FEED_SIZE]

    def item_title(self, case):
        return f"{case.reference} · {nameless(case, case.public_subject)}"

    def item_description(self, case):
        text = nameless(case, case.requests[0].public_text) if case.requests else ""
        return f"{case.body} · {case.get_status_display()}\n\n{text[:1000]}"

    def item_updateddate(self, case):
        return case.updated_at

    def item_pubdate(self, case):
        return case.created_at

    def item_guid(self, case):
        return f"urn:uuid:{case.uuid}"

    item_guid_is_permalink = False
