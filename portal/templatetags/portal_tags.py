from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

from portal.maps import geojson_svg
from portal.money import format_number

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


# Languages that write the names of languages in lower case inside a sentence ("en arabe", not "en Arabe").
LOWER_CASE_LANGUAGE_NAMES = {"fr"}


@register.filter
def language_name(code: str) -> str:
    """The name of the language `code` for a sentence in the active language: "Arabic", "arabe", "العربية"."""
    name = str(translation.get_language_info(code)["name_translated"])
    return name.lower() if translation.get_language() in LOWER_CASE_LANGUAGE_NAMES else name


@register.simple_tag
def map_picture(collection: dict, label: str) -> str:
    """The GeoJSON `collection` as an SVG picture, for visitors without JavaScript (portal.maps)."""
    return geojson_svg(collection, label)


@register.filter
def grouped(value) -> str:
    """A whole number with the active language's digit grouping, on one line: 21.000, 21 000, 21,000."""
    return format_number(value, 0)


@register.inclusion_tag("portal/includes/provenance.html")
def provenance(record) -> dict:
    """Where a harvested record came from (source, remote identifier, remote page); nothing for the others."""
    from portal.models import provenance_of

    return {"provenance": provenance_of(record) if record is not None and record.pk else None}
