import sys

from django.core.management.base import BaseCommand, CommandError

from harvesters.models import HarvestJob, HarvestSource
from harvesters.runner import SourceBusy, run_harvest


class Command(BaseCommand):
    help = (
        "Run a harvest source now, in this process, with a progress line; print the job's counts and its "
        "failures. Exits with status 1 when the job failed (nothing already harvested is touched then; the "
        "next run goes on where it stopped)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the source's slug")

    def handle(self, *args, **options):
        source = HarvestSource.objects.filter(slug=options["slug"]).select_related("body", "owner").first()
        if source is None:
            raise CommandError(f"No harvest source has the slug {options['slug']!r}.")
        interactive = options["verbosity"] > 0 and sys.stderr.isatty()
        try:
            job = run_harvest(
                source, trigger=HarvestJob.Trigger.COMMAND, progress=self.show_progress if interactive else None
            )
        except SourceBusy as busy:
            raise CommandError(str(busy)) from None
        if interactive:
            self.stderr.write("")
        self.stdout.write(
            f"{source.slug}: {job.status} · gathered {job.gathered} · created {job.created} · updated "
            f"{job.updated} · unchanged {job.unchanged} · withdrawn {job.withdrawn} · failed {job.failed}"
        )
        for error in job.errors.all()[:200]:
            self.stderr.write(f"{error.stage} {error.remote_id}: {error.message}")
        if job.status == HarvestJob.Status.FAILED:
            raise CommandError(job.message or "The job failed.")

    def show_progress(self, job: HarvestJob) -> None:
        done = job.imported + job.unchanged + job.failed
        total = max(job.gathered, 1)
        width = 30
        filled = width * min(done, total) // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{job.gathered} · imported {job.imported} · failed {job.failed}", ending="")
