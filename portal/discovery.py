"""Finding what each app offers by convention: its `demo`, its `sitemaps`, … module."""

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Each installed app's module `name` (e.g. "demo"), in INSTALLED_APPS order; apps without one are skipped,
    an error inside one is raised."""
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.{name}":
                raise
            continue
        yield app, module
