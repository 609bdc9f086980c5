from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.spending.classification import load_classification
from opendata.spending.management.commands.import_spending import print_report, read_mapping_file
from opendata.spending.models import Scheme
from portal.bodies.models import PublicBody
from portal.files import FileRefused
from portal.importing import MappingError


class Command(BaseCommand):
    help = (
        "Load a functional or economic classification from a CSV, XLSX or ODS file with the columns code, parent, "
        "level, label_ar, label_fr, label_en (other names through --mapping, as for import_spending): the "
        "shared list, or with --body the body's own codes, which extend or relabel it. Codes are text and keep "
        "their leading zeros (007). A code is found by body, scheme and code and written only when a value "
        "differs; a parent must be in the file or stored already; an empty level is the parent's plus one. "
        "One transaction. Exits with status 1 when no row could be loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--scheme", required=True, choices=Scheme.values)
        parser.add_argument("--body", default=None, help="slug of the public body; the shared list without it")
        parser.add_argument("--mapping", type=Path, default=None, help="JSON file: the file's columns for ours")

    def handle(self, *args, **options):
        body = None
        if options["body"]:
            body = PublicBody.objects.filter(slug=options["body"]).first()
            if body is None:
                raise CommandError(f"No public body has the slug {options['body']!r}.")
        mapping = read_mapping_file(options["mapping"]) if options["mapping"] else None
        try:
            report = load_classification(options["file"], scheme=options["scheme"], body=body, mapping=mapping)
        except (MappingError, FileRefused) as error:
            raise CommandError(f"{options['file']}: {error} Nothing was loaded.") from None
        print_report(self, report)
        if not (report.created or report.updated or report.unchanged):
            raise CommandError("No row could be loaded: nothing was changed.")
        self.stdout.write(self.style.SUCCESS("Classification loaded."))
