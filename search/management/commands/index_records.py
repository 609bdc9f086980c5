from django.core.management.base import BaseCommand, CommandError

from search.indexing import refresh_entries
from search.sources import SOURCES


class Command(BaseCommand):
    help = (
        "Write a search entry for every public record (decisions, news, pages, datasets) in each language it is "
        "published in, remove the entries of records that are no longer public, and index them. Idempotent; run it "
        "after an upgrade that adds a kind of record, or to repair the index. `update_index` then rebuilds the "
        "search backend's index from the entries without downtime."
    )

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help=f"Only these kinds, among {', '.join(SOURCES)} (default: all).")

    def handle(self, *args, kinds, **options):
        if unknown := set(kinds) - set(SOURCES):
            raise CommandError(f"Unknown kinds: {', '.join(sorted(unknown))}. Known: {', '.join(SOURCES)}.")
        counts = refresh_entries(kinds or None)
        if options["verbosity"]:
            for kind, count in counts.items():
                self.stdout.write(f"{kind}: {count}")
