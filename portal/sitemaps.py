"""/sitemap.xml: the sitemaps of every app that has a `sitemaps` module with a `SITEMAPS` dict, in
INSTALLED_APPS order (as load_demo finds each app's `demo`)."""

from importlib import import_module

from django.apps import apps
from django.contrib.sitemaps import Sitemap


def app_sitemaps() -> dict[str, type[Sitemap]]:
    sitemaps: dict[str, type[Sitemap]] = {}
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.sitemaps")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.sitemaps":
                raise
            continue
        if module.__name__ != __name__:  # this registry is the `portal` app's own sitemaps module
            sitemaps.update(module.SITEMAPS)
    return sitemaps
