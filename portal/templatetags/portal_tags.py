from django import template
from django.conf import settings
from django.urls import translate_url
from wagtail.models import Page

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
