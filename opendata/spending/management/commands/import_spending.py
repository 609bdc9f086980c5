import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.spending.importing import ImportKind, import_spending, spending_mapping
from portal.bodies.models import PublicBody
from portal.files import FileRefused
from portal.importing import MappingError


def read_mapping_file(path: Path | str) -> object:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: not a readable JSON mapping ({error}).") from None


def print_report(command: BaseCommand, report) -> None:
    command.stdout.write(f"rows read: {report.rows} ({report.encoding})")
    command.stdout.write(report.summary())
    for error in report.errors:
        command.stderr.write(f"rejected: {error}")
    for warning in report.warnings:
        command.stdout.write(f"warning: {warning}")


class Command(BaseCommand):
    help = (
        "Import a body's budget lines, subsidies or payments from a finance system's export (CSV in UTF-8, UTF-16, "
        "Windows-1256 or Windows-1252 with , ; or tab between cells; XLSX or ODS: the first sheet). --kind budget "
        "reads voted lines (amended when a “stage” cell says so), execution executed lines, subsidies and payments "
        "one row each. --mapping names the file's columns and values for ours: "
        '{"columns": {"amount": "Crédits votés", "function": "Chapitre", …}, "values": {"direction": '
        '{"Dépense": "expenditure"}}, "years": {"2023": "CA 2023", …}} (years: one amount column per year, '
        "budget and execution only). A mapping naming a column the file lacks changes nothing. A row is rejected, "
        "with its line and why, when its amount is not a number, is negative where it cannot be (voted lines, "
        "payments, subsidies), has more than two decimals, when a code is not in the body's or the shared "
        "classification (when one has codes for its scheme), when it has no fiscal year (its cell, else --year, "
        "else a payment's date) or no currency (its cell, else the sign in its amount, else --currency, else the "
        "body's), or gives an earlier row's identity with other values. Rows repeating an earlier row exactly "
        "are skipped and listed. A total that is not the sum of the lines below it is imported as written and "
        "listed as a warning. Records are found by their identity (a line's year, stage, direction, section "
        "and codes; a payment's reference, else its values) and written only when a value differs, all in one "
        "transaction. Exits with status 1 when no row could be imported (the file, the mapping or every row "
        "failed); figures stored before stay as they were."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV, XLSX or ODS export")
        parser.add_argument("--body", required=True, help="slug of the public body")
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument("--year", type=int, default=None, help="fiscal year of the rows that give none")
        parser.add_argument("--currency", default=None, help="ISO 4217 code of the rows that give none")
        parser.add_argument("--mapping", type=Path, default=None, help="JSON file: the file's columns and values")

    def handle(self, *args, **options):
        body = PublicBody.objects.filter(slug=options["body"]).first()
        if body is None:
            raise CommandError(f"No public body has the slug {options['body']!r}.")
        kind = options["kind"]
        currency = (options["currency"] or "").strip().upper() or None
        if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
            raise CommandError(f"--currency {options['currency']!r} is not an ISO 4217 code (DZD, MAD, EUR…).")
        try:
            mapping = spending_mapping(read_mapping_file(options["mapping"]), kind) if options["mapping"] else None
            report = import_spending(
                options["file"],
                body=body,
                kind=kind,
                mapping=mapping,
                year=options["year"],
                currency=currency,
                progress=self.show_progress if options["verbosity"] > 1 else None,
            )
        except (MappingError, FileRefused) as error:
            raise CommandError(f"{options['file']}: {error} Nothing was imported.") from None
        self.stdout.write(f"{options['file']} → {body.slug} ({kind})")
        print_report(self, report)
        if not (report.created or report.updated or report.unchanged):
            raise CommandError("No row could be imported: nothing was changed.")
        self.stdout.write(self.style.SUCCESS("Import complete."))

    def show_progress(self, rows: int, seconds: float) -> None:
        self.stdout.write(f"{rows:,} rows ({rows / seconds if seconds else 0:,.0f}/s)")
