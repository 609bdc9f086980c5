from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo content of every app that has a `demo` module, in INSTALLED_APPS order. "
        "Idempotent: records are found by slug or email and updated, never duplicated."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for app in apps.get_app_configs():
                try:
                    demo = import_module(f"{app.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app.name}.demo":
                        raise
                    continue
                self.stdout.write(f"{app.verbose_name}:")
                demo.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
