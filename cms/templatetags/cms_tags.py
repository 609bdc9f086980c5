"""The council pages' template tags: feeds a page announces, the footer's pages, the latest decisions,
a decision's JSON-LD."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from cms.feeds import feed_links_for
from cms.jsonld import decision_jsonld, jsonld_script
from cms.listing import DecisionFilters, annotate_for_listing, filter_decisions
from cms.models import DecisionPage, NewsIndexPage, ProjectMapPage, StandardPage
from portal.bodies.models import PublicBody

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context) -> list[dict]:
    """The feeds a page announces: its decision's or council's body and topics, else all decisions."""
    body = getattr(context.get("page"), "body", None)
    return feed_links_for(body=body if isinstance(body, PublicBody) else None)


@register.simple_tag
def footer_pages():
    return StandardPage.objects.live().filter(show_in_footer=True, locale=Locale.get_active()).order_by("path")


@register.simple_tag
def menu_pages() -> list:
    """The news and the project maps of the visitor's language, for the main menu (one query)."""
    pages = Page.objects.live().type(NewsIndexPage, ProjectMapPage).filter(locale=Locale.get_active())
    return list(pages.order_by("path"))


@register.simple_tag(takes_context=True)
def latest_decisions(context, count: int = 5) -> list[DecisionPage]:
    """The latest decisions in the page's language, with what their cards show."""
    language = get_language()
    latest = list(filter_decisions(language, DecisionFilters())[:count])
    annotate_for_listing(latest, context["request"], language)
    return latest


@register.simple_tag(takes_context=True)
def decision_jsonld_script(context, page: DecisionPage) -> SafeString:
    return jsonld_script(decision_jsonld(page, context["request"]))
