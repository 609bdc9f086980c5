"""The portal's URLs for the proposal tests, with stand-ins for the public pages' names (proposals:detail, …) when
the public pages of proposals (participation/proposals/urls.py) are not there: records link to them."""

from importlib.util import find_spec

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns


def stand_in(request, **kwargs):
    return HttpResponse()


urlpatterns = list(portal_urlpatterns)
if find_spec("participation.proposals.urls") is None:
    pages = (
        [
            path("", stand_in, name="index"),
            path("<int:pk>/", stand_in, name="detail"),
            path("spaces/<slug:slug>/", stand_in, name="space"),
        ],
        "proposals",
    )
    urlpatterns += i18n_patterns(path("proposals/", include(pages)), prefix_default_language=True)
