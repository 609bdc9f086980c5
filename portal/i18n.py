"""Reference data translated in fields: `name_ar`, `name_fr`, `name_en` read as one `name`."""

from django.conf import settings
from django.utils.translation import get_language


def language_order(language: str | None = None) -> list[str]:
    """Return the languages to try for `language` (the active one by default), best first."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    fallbacks = settings.LANGUAGE_FALLBACKS.get(language, [])
    every = [code for code, _name in settings.LANGUAGES]
    return [language, *fallbacks, *(code for code in every if code != language and code not in fallbacks)]


class TranslatedField:
    """Read `<field>_<language>` for the active language, falling back to the others.

    As in Wagtail's documented TranslatedField pattern, but over all configured
    languages with the order set in `LANGUAGE_FALLBACKS`.
    """

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        for language in language_order():
            value = getattr(instance, f"{self.field}_{language}", "")
            if value:
                return value
        return ""

    def language_of(self, instance) -> str:
        """Return the language code of the value shown now (for the `lang` attribute)."""
        for language in language_order():
            if getattr(instance, f"{self.field}_{language}", ""):
                return language
        return get_language() or settings.LANGUAGE_CODE
