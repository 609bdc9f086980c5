import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms.importing import ImportFileError, decision_mapping, import_decisions
from cms.models import CouncilIndexPage


def outcome_of_failures(report) -> str:
    """What a run with failed rows did, in words that fit: all failed, or some with the rest imported."""
    failed, rows = len(report.errors), report.rows
    if failed == rows:
        return _("All %(rows)s rows failed: nothing was imported.") % {"rows": rows}
    return _("%(failed)s of %(rows)s rows failed; the other %(rest)s were imported.") % {
        "failed": failed,
        "rows": rows,
        "rest": rows - failed,
    }


class Command(BaseCommand):
    help = (
        "Import council decisions from a CSV or JSON file into one council, given by page id or by the slug of "
        "its public body (with --language, the council's language; default the site's). A decision is the "
        "same when body, year, reference and language match: new ones are created and published, changed "
        "ones get a new published revision (a draft, reported, when staff unpublished the decision), identical "
        "ones are left alone. Sessions are found by date under "
        "the council, or created. Attachments are paths below --files-root (default: the file's folder), "
        "matched by SHA-1 of their content so that a document is never stored twice. Rows are written in batches "
        "of 200, one transaction each, each row on its own: failed rows are listed and the others kept; a "
        "line shows the progress after each batch. A file that is not CSV or JSON, or has wrong "
        "columns, changes nothing. --mapping reads a council's own export: a JSON file "
        '{"columns": {"reference": "N° délibération", …}, "values": {"outcome": {"Adoptée": "adopted"}}}. '
        "Exits with status 1 when the file or any row failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV (UTF-8, UTF-16, Windows-1256 or -1252) or JSON of decisions")
        parser.add_argument("--council", required=True, help="council page id, or slug of the public body")
        parser.add_argument("--files-root", type=Path, default=None, help="folder the attachment paths start from")
        parser.add_argument("--language", default=None, help="language of the council and of the file's text")
        parser.add_argument(
            "--mapping", type=Path, default=None, help="JSON file naming the file's columns and values for ours"
        )

    def handle(self, *args, **options):
        council = self.find_council(options["council"], options["language"])
        try:
            mapping = self.read_mapping(options["mapping"]) if options.get("mapping") else None
            report = import_decisions(
                options["file"],
                council=council,
                files_root=options["files_root"],
                mapping=mapping,
                progress=self.show_progress,
            )
        except ImportFileError as error:
            raise CommandError(f"{options['file']}: {error} Nothing was imported.") from error
        self.stdout.write(f"{options['file']} ({report.encoding}) → {council.title} [{council.locale.language_code}]")
        self.stdout.write(report.summary())
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(outcome_of_failures(report))
        self.stdout.write(self.style.SUCCESS("Import complete."))

    def show_progress(self, done: int, rows: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0
        self.stdout.write(
            _("%(done)s / %(rows)s decisions (%(rate)s/s)")
            % {"done": f"{done:,}", "rows": f"{rows:,}", "rate": f"{rate:,.1f}"}
        )

    def read_mapping(self, path: Path):
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: not a readable JSON mapping ({error}).") from None
        try:
            return decision_mapping(data)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None

    def find_council(self, council: str, language: str | None) -> CouncilIndexPage:
        if council.isdigit():
            page = CouncilIndexPage.objects.filter(pk=int(council)).first()
            if page is None:
                raise CommandError(f"No council page has the id {council}.")
            if language and page.locale.language_code != language:
                translation = page.get_translations().filter(locale__language_code=language).specific().first()
                if translation is None:
                    raise CommandError(f"Council {council} has no translation in {language!r}.")
                page = translation
            return page
        language = language or settings.LANGUAGE_CODE
        pages = CouncilIndexPage.objects.filter(body__slug=council, locale__language_code=language)
        if len(pages) != 1:
            found = "several councils" if pages else "no council"
            raise CommandError(f"The body {council!r} has {found} in {language!r}: give the council's page id.")
        return pages[0]
