from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from opendata.spending.publishing import publish_spending_datasets
from portal.bodies.models import PublicBody


class Command(BaseCommand):
    help = (
        "Create or update the open-data catalogue's datasets of each body's spending data (budget, payments, "
        "subsidies, contracts: one per kind the body has), linking to the bulk exports. A new dataset is "
        "published; an existing one keeps its status and licence. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--body", help="Only this public body (its slug); by default every body with data.")

    def handle(self, *args, body=None, **options):
        if body:
            bodies = PublicBody.objects.filter(slug=body)
            if not bodies.exists():
                raise CommandError(f"No public body has the slug {body!r}.")
        else:
            with_data = (
                Q(budget_lines__isnull=False) | Q(payments__isnull=False) | Q(contracting_processes__isnull=False)
            )
            bodies = PublicBody.objects.filter(with_data).distinct().order_by("path")
        for public_body in bodies:
            datasets = publish_spending_datasets(public_body)
            names = ", ".join(dataset.name for dataset in datasets) or "no spending data"
            self.stdout.write(f"{public_body.slug}: {names}")
