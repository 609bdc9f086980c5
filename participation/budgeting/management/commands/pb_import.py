"""`manage.py pb_import FILE.pb --body SLUG [--slug S] [--replace] [--publish]`: load a Pabulib election as a cycle
(importing.import_pabulib), and with --publish count it at once (results.publish_results)."""

from django.core.management.base import BaseCommand, CommandError

from participation.budgeting.importing import PabulibError, import_pabulib
from participation.budgeting.services import BudgetingRefused
from portal.bodies.models import PublicBody


class Command(BaseCommand):
    help = "Load a Pabulib .pb file as a budgeting cycle in its ballot review (for demos, training, load tests)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--body", required=True, help="Slug of the public body the cycle belongs to.")
        parser.add_argument("--slug", default="", help="The cycle's slug (default: the file's name).")
        parser.add_argument("--currency", default="", help="ISO 4217 code when the file names none.")
        parser.add_argument("--replace", action="store_true", help="Replace a cycle of the same slug.")
        parser.add_argument("--publish", action="store_true", help="Count and publish the results at once.")

    def handle(self, *args, file, body, slug, currency, replace, publish, **options):
        from participation.budgeting.results import publish_results

        owner = PublicBody.objects.filter(slug=body).first()
        if owner is None:
            raise CommandError(f"No public body with the slug {body!r}.")
        try:
            cycle = import_pabulib(file, owner, slug=slug, currency=currency, replace=replace)
        except PabulibError as error:
            raise CommandError(f"{file}:{error.line}: {error}" if error.line else f"{file}: {error}") from None
        except (BudgetingRefused, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{cycle.slug}: {cycle.projects.count()} projects, {cycle.ballots.count()} ballots "
            f"({cycle.get_counting_rule_display()})"
        )
        if publish:
            for result in publish_results(cycle, None):
                winners = sorted(project.external_id for project in result.selected.all())
                self.stdout.write(f"{result.budget.slug}: {len(winners)} funded: {' '.join(winners)}")
