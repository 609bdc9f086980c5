from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from wagtail.models import Page

from portal.i18n import language_order


class LocaleFallbackRouteMixin:
    """Serve a child page published only in another language under this page's address.

    A decision published only in Arabic then answers at /fr/… too, with the French
    interface and a notice (the templates compare the page's locale with the active
    language) instead of a 404.
    """

    def specific_children(self) -> QuerySet | None:
        """Return the model of the children most addresses lead to, as a queryset (with what their pages show),
        or None. Routing looks there first (specific_child)."""
        return None

    def route(self, request, path_components):
        try:
            child = self.specific_child(path_components[0]) if path_components else None
            if child is not None:
                return child.route(request, path_components[1:])
            return super().route(request, path_components)
        except Http404:
            child = self.child_in_other_language(path_components[0]) if path_components else None
            if child is None:
                raise
            return child.specific.route(request, path_components[1:])

    def specific_child(self, slug: str) -> Page | None:
        """Return the child called `slug` among specific_children(), of this page or else of its best translation.

        One query for what Wagtail's Page.route does in two (the page, then its specific row), and the language
        fallback in the same query: it takes the children of every translation of this page.
        """
        children = self.specific_children()
        if children is None:
            return None
        parent_path = Substr(OuterRef("path"), 1, len(self.path))
        translations = Page.objects.filter(path=parent_path, translation_key=self.translation_key)
        found = {
            child.locale.language_code: child
            for child in children.filter(depth=self.depth + 1, slug=slug)
            .filter(Exists(translations))
            .select_related("locale")
        }
        own = next((child for child in found.values() if child.locale_id == self.locale_id), None)
        if own is not None:
            own._cached_parent_obj = self  # treebeard's get_parent() reads it
            return own
        return next((found[code] for code in language_order() if code in found and found[code].live), None)

    def child_in_other_language(self, slug: str) -> Page | None:
        translations = {page.locale.language_code: page for page in self.get_translations().select_related("locale")}
        for language in language_order():
            parent = translations.get(language)
            child = parent.get_children().live().filter(slug=slug).first() if parent else None
            if child is not None:
                return child
        return None
