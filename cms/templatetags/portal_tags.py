from django import template
from django.conf import settings
from django.urls import translate_url
from wagtail.models import Locale, Page

from cms.models import StandardPage

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Return, per language, the address of this same page in that language.

    Wagtail pages link to their translation; other pages swap the language prefix.
    """
    request = context["request"]
    page = context.get("page")
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    translations = {}
    if isinstance(page, Page):
        translations = {
            translation.locale.language_code: translation.get_url(request)
            for translation in page.get_translations(inclusive=True).live().select_related("locale")
        }
    return [
        {
            "code": code,
            "name": name,
            "url": translations.get(code) or translate_url(request.get_full_path(), code),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def feed_links(context) -> list[dict]:
    """The feeds a page announces: its decision's or council's body and topics, else all decisions."""
    from cms.feeds import feed_links_for
    from portal.bodies.models import PublicBody

    body = getattr(context.get("page"), "body", None)
    return feed_links_for(body=body if isinstance(body, PublicBody) else None)


@register.simple_tag
def footer_pages():
    return StandardPage.objects.live().filter(show_in_footer=True, locale=Locale.get_active()).order_by("path")
