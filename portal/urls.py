from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.health import healthz
from portal.sitemaps import app_sitemaps
from portal.sitemaps import index as sitemap_index
from portal.views import api_docs, favicon, serve_media

SITEMAPS = app_sitemaps()

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    # Staff log in through the accounts login (with its second factor), never Wagtail's own form.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # An index of pages of at most SITEMAP_PAGE_SIZE addresses: each costs the same however large the portal grows.
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("api/v1/", include("cms.api")),
    path("api/v1/", include("opendata.api")),
    path("api/v1/", include("opendata.spending.api")),
    path("api/v1/search/", include("search.api_urls")),
    path("api/v1/", include("participation.requests.api_urls")),
    path("api/v1/", include("participation.proposals.api_urls")),
    path("api/v1/budgeting/", include("participation.budgeting.api_urls")),
    path("api/", include("opendata.ckan.urls")),
    path("", include("opendata.dcat_urls")),
    path("download/", include("opendata.download_urls")),
    path("download/spending/", include("opendata.spending.download_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The documentation is a page in the visitor's language; Swagger UI stays as the explorer, in English.
    path("api/docs/", RedirectView.as_view(pattern_name="api-docs", permanent=False)),
    path("api/explorer/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-explorer"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("", include("portal.accounts.urls")),
    path("bodies/", include("portal.bodies.urls")),
    path("api/", api_docs, name="api-docs"),
    path("", include("cms.urls")),
    path("feeds/", include("cms.feeds")),
    path("data/", include("opendata.urls")),
    path("spending/", include("opendata.spending.urls")),
    path("search/", include("search.urls")),
    path("information-requests/", include("participation.requests.urls")),
    # Before any other "proposals/" include: the public aggregate of the moderators' acts.
    path("proposals/moderation/", include("participation.proposals.log_urls")),
    path("proposals/", include("participation.proposals.urls")),
    path("budgeting/", include("participation.budgeting.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

# Under DEBUG only (the proxy serves media in production, by the same rules): images and renditions; open-data
# files go through /download/ and documents through /documents/, which check that the record is public.
urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media)]
