from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.spending.ocds import OcdsFileError, import_contracts
from portal.bodies.models import PublicBody


class Command(BaseCommand):
    help = (
        "Import public contracts from an Open Contracting Data Standard (1.0 or 1.1) file into the body given by "
        "its slug, whoever the file names as buyer: release or record packages, bare releases or records, arrays "
        "of them or JSON Lines, in UTF-8, UTF-16 or a Windows code page. One contracting process per ocid; the "
        "releases of an ocid are merged in date order, the latest value of each field winning; importing the same "
        "file again changes nothing. A file that is not JSON or of another OCDS version changes nothing. Prints "
        "the report (processes created, updated, unchanged; releases left out; values imported without what they "
        "lacked) and exits with status 1 when nothing was imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="OCDS JSON or JSON Lines file")
        parser.add_argument("--body", required=True, help="slug of the public body the contracts belong to")

    def handle(self, *args, **options):
        body = PublicBody.objects.filter(slug=options["body"]).first()
        if body is None:
            raise CommandError(f"No public body has the slug {options['body']!r}.")
        try:
            report = import_contracts(options["file"], body=body)
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror or error}") from error
        except OcdsFileError as error:
            raise CommandError(f"{options['file']}: {error}") from error
        self.stdout.write(f"{options['file']} ({report.encoding}) → {body}")
        self.stdout.write(report.summary())
        for error in report.errors:
            self.stderr.write(str(error))
        for warning in report.warnings:
            self.stderr.write(str(warning))
        if not (report.created or report.updated or report.unchanged):
            raise CommandError("Nothing was imported.")
        self.stdout.write(self.style.SUCCESS("Import complete."))
