from django.core.management.base import BaseCommand, CommandError

from participation.requests.open_data import DATASET_NAME, publish_statistics
from portal.bodies.models import PublicBody


class Command(BaseCommand):
    help = (
        f"Create the catalogue's dataset {DATASET_NAME} (published, for the first root body) if it does not exist, "
        "then add a new version of requests-statistics.csv and refusals.csv where their content changed; "
        "files that did not change get no version."
    )

    def handle(self, *args, **options):
        try:
            dataset = publish_statistics()
        except PublicBody.DoesNotExist as error:
            raise CommandError(str(error)) from None
        versions = {resource.name_en: resource.versions.count() for resource in dataset.resources.all()}
        self.stdout.write(f"{dataset.name}: {dataset.status}; versions {versions}")
