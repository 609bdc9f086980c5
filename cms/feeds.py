"""RSS 2.0 and Atom feeds of the latest council decisions.

Feeds answer in the language of their URL prefix (/ar/, /fr/, /en/) and list that language's
decisions: all of them, one public body's, or one topic's.
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody

from .models import DecisionPage, Topic

# Items per feed: several sessions' worth of a council's decisions, in one small response.
FEED_SIZE = 50

FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@dataclass
class FeedScope:
    """What one feed request lists: all decisions, or one body's, or one topic's."""

    request: HttpRequest
    body: PublicBody | None = None
    topic: Topic | None = None
    language: str = field(default_factory=lambda: get_language())


def decisions_listing_url(scope: FeedScope) -> str:
    """Return the public listing of these decisions (/<lang>/decisions/ with the same filter)."""
    params = {}
    if scope.body:
        params["body"] = scope.body.slug
    if scope.topic:
        params["topic"] = scope.topic.slug
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse('cms:decisions')}{query}"


def topic_for_slug(slug: str) -> Topic | None:
    """Return the topic with this slug in the active language, else in any language."""
    topics = list(Topic.objects.filter(slug=slug).select_related("locale"))
    active = get_language()
    return next((topic for topic in topics if topic.locale.language_code == active), topics[0] if topics else None)


def feed_title(body: str | None = None, topic: str | None = None) -> str:
    """Return the title of the feed of a body's decisions, a topic's, or (given neither) all of them."""
    if body:
        return _("Decisions of %(body)s") % {"body": body}
    if topic:
        return _("Decisions on %(topic)s") % {"topic": topic}
    return _("Council decisions")


class LatestDecisionsFeed(Feed):
    feed_type = Rss201rev2Feed
    item_guid_is_permalink = False

    def get_object(self, request, body: str | None = None, topic: str | None = None) -> FeedScope:
        scope = FeedScope(request=request)
        if body is not None:
            scope.body = PublicBody.objects.filter(slug=body).first()
            if scope.body is None:
                raise Http404("No public body has this slug.")
        if topic is not None:
            scope.topic = topic_for_slug(topic)
            if scope.topic is None:
                raise Http404("No topic has this slug.")
        return scope

    def title(self, scope: FeedScope) -> str:
        return feed_title(body=scope.body.name if scope.body else None, topic=scope.topic.name if scope.topic else None)

    def description(self, scope: FeedScope) -> str:
        return _("The latest decisions published by the council.")

    def link(self, scope: FeedScope) -> str:
        return decisions_listing_url(scope)

    def items(self, scope: FeedScope) -> list[DecisionPage]:
        decisions = (
            DecisionPage.objects.live()
            .public()
            .filter(language=scope.language)
            .select_related("body")
            .prefetch_related("topics")
            .defer_streamfields()
            .order_by("-decision_date", "-first_published_at", "-pk")
        )
        if scope.body:
            decisions = decisions.filter(body=scope.body)
        if scope.topic:
            decisions = decisions.filter(Exists(Topic.objects.filter(decisions=OuterRef("pk"), slug=scope.topic.slug)))
        items = list(decisions[:FEED_SIZE])
        # The feed instance serves every request: the link is computed here, with this request.
        for item in items:
            item.feed_link = item.get_url(scope.request)
        return items

    def item_title(self, item: DecisionPage) -> str:
        return f"{item.reference} — {item.title}"

    def item_description(self, item: DecisionPage) -> str:
        return item.summary

    def item_link(self, item: DecisionPage) -> str:
        return item.feed_link

    def item_guid(self, item: DecisionPage) -> str:
        return item.uuid.urn

    def item_pubdate(self, item: DecisionPage) -> datetime:
        # The day the council decided; made aware in TIME_ZONE by the Feed.
        return datetime.combine(item.decision_date, time.min)  # noqa: DTZ001

    def item_updateddate(self, item: DecisionPage) -> datetime | None:
        return item.last_published_at

    def item_author_name(self, item: DecisionPage) -> str:
        return item.body.name

    def item_categories(self, item: DecisionPage) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class LatestDecisionsAtomFeed(LatestDecisionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, scope: FeedScope) -> str:
        return self.description(scope)


FEEDS = {"rss": LatestDecisionsFeed(), "atom": LatestDecisionsAtomFeed()}

app_name = "cms_feeds"
urlpatterns = [
    route
    for kind, feed in FEEDS.items()
    for route in (
        path(f"decisions/{kind}/", feed, name=f"decisions-{kind}"),
        path(f"decisions/<slug:body>/{kind}/", feed, name=f"body-{kind}"),
        path(f"topics/<slug:topic>/{kind}/", feed, name=f"topic-{kind}"),
    )
]

# Format names, the same in every language.
FEED_FORMATS = {"rss": "RSS", "atom": "Atom"}


def feed_links_for(body: PublicBody | str | None = None, topic: Topic | str | None = None) -> list[dict[str, str]]:
    """Return the feeds a page announces in its <head>, most specific first.

    Each is `{"title", "href", "type"}`: `href` is a path in the active language, `type`
    the feed's media type (`application/rss+xml` or `application/atom+xml`), the title
    translated. `body` and `topic` are objects or their slugs; the feeds of all decisions
    come last, always.
    """
    subjects = []
    if body is not None:
        name, slug = (body.name, body.slug) if isinstance(body, PublicBody) else (body, body)
        subjects.append((feed_title(body=name), "body", {"body": slug}))
    if topic is not None:
        name, slug = (topic.name, topic.slug) if isinstance(topic, Topic) else (topic, topic)
        subjects.append((feed_title(topic=name), "topic", {"topic": slug}))
    subjects.append((feed_title(), "decisions", {}))
    return [
        {
            "title": f"{subject} ({FEED_FORMATS[kind]})",
            "href": reverse(f"cms_feeds:{name}-{kind}", kwargs=kwargs),
            "type": FEED_TYPES[kind],
        }
        for subject, name, kwargs in subjects
        for kind in FEEDS
    ]
