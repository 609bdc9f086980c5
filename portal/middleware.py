import logging

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.searching import SearchUnavailable

logger = logging.getLogger(__name__)

# Machine and staff interfaces live outside the language prefixes (DESIGN.md, "URLs").
UNPREFIXED_PATHS = (
    "/admin/",
    "/api/",
    "/healthz",
    "/documents/",
    "/static/",
    "/media/",
    "/sitemap",
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


ADMIN_PREFIX = "/admin/"
# Wagtail's admin still writes inline scripts without a nonce (InlinePanel, MultipleChooserPanel, the
# date and time pickers: wagtail/wagtail#7053), so its pages allow inline scripts; the rest of the policy
# (no plugins, no framing, no other origins) holds there too.
ADMIN_SCRIPT_SRC = [SELF, UNSAFE_INLINE]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's script rule on `/admin/`."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            # A nonce in the header would make browsers ignore 'unsafe-inline'.
            parts.replace = {**(parts.replace or {}), "script-src": ADMIN_SCRIPT_SRC}
            parts.nonce = None
        return parts


class SearchUnavailableMiddleware:
    """A page or API call that needed the search server while it is down answers 503, saying so; pages and calls
    that need no search keep working. (The search page handles it itself, to keep its form.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SearchUnavailable):
            return None
        logger.error("The search backend did not answer: %s", exception)
        message = _(
            "Search is unavailable for a moment. Please try again later; the rest of the portal works as usual."
        )
        response: HttpResponse
        if request.path.startswith("/api/"):  # the REST API's problem (the CKAN API answers in its envelope)
            problem = {"type": "about:blank", "title": message, "status": 503}
            response = JsonResponse(problem, status=503, content_type="application/problem+json")
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = "60"
        return response
