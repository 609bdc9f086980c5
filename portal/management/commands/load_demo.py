import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.discovery import app_modules

# What the demo's uploads make the ingestion and the in-process task runner say, line after line.
QUIET_LOGGERS = ("celery.app.trace", "opendata.ingest")


class Command(BaseCommand):
    help = (
        "Load the demo content of every app that has a `demo` module, in INSTALLED_APPS order. "
        "Idempotent: records are found by slug or email and updated, never duplicated."
    )

    def handle(self, *args, **options):
        # The tasks queued for after the commit run inside `quiet` too.
        with quiet(*QUIET_LOGGERS), transaction.atomic():
            for app, demo in app_modules("demo"):
                self.stdout.write(f"{app.verbose_name}:")
                demo.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))


@contextmanager
def quiet(*names: str):
    """Only warnings and errors from the loggers `names` while the block runs."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
