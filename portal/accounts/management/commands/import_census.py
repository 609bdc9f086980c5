import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.census import census_mapping, import_census
from portal.bodies.models import PublicBody
from portal.importing import MappingError


class Command(BaseCommand):
    help = (
        "Replace a body's census (its residents, for verification online) with a file: CSV in UTF-8, UTF-16, "
        "Windows-1256 or Windows-1252 with , ; or tab between cells, or XLSX/ODS (the first sheet). Columns: "
        "identity_number (required), district (slug or name) and born_on (30/04/2001 or 2001-04-30), or those "
        'a --mapping names: {"columns": {"identity_number": "NIN", "district": "Quartier"}, "values": {…}}. '
        "Bad rows are listed with their line and skipped; the whole file is refused, and the census left as it "
        "was, when it has no identity column, no good row, or more bad rows than CENSUS_MAX_BAD_ROWS_PERCENT. "
        "Identity numbers are kept only as a keyed hash and never printed. Exits with status 1 when refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV, XLSX or ODS file")
        parser.add_argument("--body", required=True, help="slug of the public body")
        parser.add_argument("--mapping", type=Path, default=None, help="JSON file: the file's columns and values")

    def handle(self, *args, **options):
        body = PublicBody.objects.filter(slug=options["body"]).first()
        if body is None:
            raise CommandError(f"No public body has the slug {options['body']!r}.")
        mapping = None
        if options["mapping"]:
            try:
                mapping = census_mapping(json.loads(options["mapping"].read_text(encoding="utf-8-sig")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as unreadable:
                raise CommandError(f"{options['mapping']}: not a readable JSON mapping ({unreadable}).") from None
            except MappingError as wrong:
                raise CommandError(f"{options['mapping']}: {wrong}") from None
        report = import_census(options["file"], body, mapping=mapping)
        self.stdout.write(f"{options['file']} → {body.slug}: {report.rows} rows ({report.encoding})")
        for error in report.errors:
            self.stderr.write(f"skipped: {error}")
        if report.refused:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
