"""/sitemap.xml: the sitemaps of every app that has a `sitemaps` module with a `SITEMAPS` dict, in
INSTALLED_APPS order."""

from django.contrib.sitemaps import Sitemap

from portal.discovery import app_modules


def app_sitemaps() -> dict[str, type[Sitemap]]:
    sitemaps: dict[str, type[Sitemap]] = {}
    for _app, module in app_modules("sitemaps"):
        if module.__name__ != __name__:  # this registry is the `portal` app's own sitemaps module
            sitemaps.update(module.SITEMAPS)
    return sitemaps
