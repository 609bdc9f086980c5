"""The portal's addresses plus the two spending pages the search links to (`spending:supplier`,
`spending:contract`), which opendata.spending.urls serves once the public pages are merged."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns


def page(request, uuid):
    return HttpResponse(str(uuid))


spending = (
    [
        path("suppliers/<uuid:uuid>/", page, name="supplier"),
        path("contracts/<uuid:uuid>/", page, name="contract"),
    ],
    "spending",
)
urlpatterns = [*i18n_patterns(path("spending/", include(spending)), prefix_default_language=True), *portal_urlpatterns]
