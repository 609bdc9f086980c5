from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

# Machine and staff interfaces live outside the language prefixes (DESIGN.md, "URLs").
UNPREFIXED_PATHS = (
    "/admin/",
    "/api/",
    "/healthz",
    "/documents/",
    "/static/",
    "/media/",
    "/sitemap.xml",
    "/catalog",
    "/download/",
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, without its 404 redirect for unprefixed interfaces.

    Wagtail's catch-all page route makes every `/<lang>/<anything>` look valid, so
    Django would turn each 404 under `/admin/` or `/api/` into a redirect to `/ar/…`.
    """

    def process_response(self, request, response):
        if request.path.startswith(UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)
