"""The council pages' template tags: what frames every page (the site's body, the menu and the footer's pages),
feeds a page announces, the latest decisions, a decision's JSON-LD."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from cms.feeds import feed_links_for
from cms.jsonld import decision_jsonld, jsonld_script
from cms.listing import DecisionFilters, annotate_for_listing, filter_decisions
from cms.models import DecisionPage, NewsIndexPage, PortalSettings, ProjectMapPage
from portal.bodies.models import PublicBody
from portal.caching import cached_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context) -> list[dict]:
    """The feeds a page announces: its decision's or council's body and topics, else all decisions."""
    body = getattr(context.get("page"), "body", None)
    return feed_links_for(body=body if isinstance(body, PublicBody) else None)


def active_locale(context) -> Locale:
    """Return the visitor's locale, looked up once per request (the menu and the footer both need it)."""
    request, language = context.get("request"), get_language()
    cached = getattr(request, "_active_locale", None)
    if cached is not None and cached[0] == language:
        return cached[1]
    page = context.get("page")
    if isinstance(page, Page) and Page.locale.is_cached(page) and page.locale.language_code == language:
        locale = page.locale  # loaded with the page (a decision's route selects it)
    else:
        locale = Locale.get_active()
    if request is not None:
        request._active_locale = (language, locale)
    return locale


def navigation_pages(context) -> dict[str, list[Page]]:
    """Return the main menu's pages (news, project maps) and the footer's (standard pages shown there), of the
    visitor's language: one query for both, once per request."""
    request = context.get("request")
    cached = getattr(request, "_navigation_pages", None)
    if cached is not None:
        return cached
    menu_types = list(ContentType.objects.get_for_models(NewsIndexPage, ProjectMapPage).values())
    pages = (
        Page.objects.live()
        .filter(locale=active_locale(context))
        .filter(Q(content_type__in=menu_types) | Q(standardpage__show_in_footer=True))
        .annotate(in_footer=ExpressionWrapper(Q(standardpage__show_in_footer=True), output_field=BooleanField()))
        .order_by("path")
    )
    found: dict[str, list[Page]] = {"menu": [], "footer": []}
    for page in pages:
        found["footer" if page.in_footer else "menu"].append(page)
    if request is not None:
        request._navigation_pages = found
    return found


@register.simple_tag(takes_context=True)
def footer_pages(context) -> list[Page]:
    return navigation_pages(context)["footer"]


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list[Page]:
    """The news and the project maps of the visitor's language, for the main menu."""
    return navigation_pages(context)["menu"]


@register.simple_tag(takes_context=True)
def site_frame(context) -> dict:
    """Return what frames every page and only a change of content alters, in the visitor's language: the name of
    the body the site speaks for (`body_name`, `body_language`; empty when none) and the main menu's and the
    footer's links, rendered (`menu`, `footer`).

    Kept in the cache per host until the next change of content (portal.caching's generation): a page reads them
    in one cache read instead of three queries (the site's settings, the locale, the menu's pages) and a dozen
    URL reversals."""
    request = context["request"]
    return cached_fragment("cms:site-frame", lambda: _site_frame(context), request.get_host())


def _site_frame(context) -> dict:
    request = context["request"]
    body = PortalSettings.for_request(request).body
    pages = navigation_pages(context)
    menu = [(page.url, page.title) for page in pages["menu"]]
    footer = [(page.get_url(request), page.title) for page in pages["footer"]]
    return {
        "body_name": body.name if body else "",
        "body_language": body.name_language if body else "",
        "menu": render_to_string("cms/includes/main_menu.html", {"pages": menu}),
        "footer": render_to_string("cms/includes/footer_menu.html", {"pages": footer}),
    }


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
