from django.http import Http404
from wagtail.models import Page

from portal.i18n import language_order


class LocaleFallbackRouteMixin:
    """Serve a child page published only in another language under this page's address.

    A decision published only in Arabic then answers at /fr/… too, with the French
    interface and a notice (the templates compare the page's locale with the active
    language) instead of a 404.
    """

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            child = self.child_in_other_language(path_components[0]) if path_components else None
            if child is None:
                raise
            return child.specific.route(request, path_components[1:])

    def child_in_other_language(self, slug: str) -> Page | None:
        translations = {page.locale.language_code: page for page in self.get_translations().select_related("locale")}
        for language in language_order():
            parent = translations.get(language)
            child = parent.get_children().live().filter(slug=slug).first() if parent else None
            if child is not None:
                return child
        return None
