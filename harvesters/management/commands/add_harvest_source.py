import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from harvesters.forms import HarvestSourceForm
from harvesters.kinds import KINDS
from harvesters.models import Target
from harvesters.schedules import describe_cron
from portal.bodies.models import PublicBody


def read_json_file(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: not a readable JSON file ({error}).") from None


class Command(BaseCommand):
    help = (
        "Declare a harvest source, with the same checks as the admin's form: a kind that can feed the target, "
        "an http(s) address (or --folder below HARVEST_FOLDERS_ROOT for file kinds), a valid cron schedule, the "
        "kind's options and mapping, and no other source of the body harvesting that address into that module. "
        '--mapping is the one mapping shape ({"columns": …, "values": …, "years": …}); --options is the '
        'kind\'s options as JSON (CKAN: {"organization": "…", "q": "…", "datastore": true}).'
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--url", default="", help="the address to harvest")
        parser.add_argument("--folder", default="", help="a watched folder below HARVEST_FOLDERS_ROOT")
        parser.add_argument("--body", required=True, help="slug of the public body the records belong to")
        parser.add_argument("--slug", required=True, help="the source's slug, for `manage.py harvest SLUG`")
        parser.add_argument("--name", default="", help="the source's name (by default its slug)")
        parser.add_argument("--target", choices=Target.values, help="the module it feeds (by default the kind's)")
        parser.add_argument("--mapping", type=Path, help="JSON file: the field mapping")
        parser.add_argument("--options", default="{}", help="JSON: the kind's options")
        parser.add_argument("--schedule", default="", help='cron syntax, e.g. "0 3 * * *" (empty: on demand)')
        parser.add_argument("--drafts", action="store_true", help="keep harvested records as drafts for review")
        parser.add_argument("--withdraw-after", type=int, default=3, help="runs missing a record before withdrawal")

    def handle(self, *args, **options):
        body = PublicBody.objects.filter(slug=options["body"]).first()
        if body is None:
            raise CommandError(f"No public body has the slug {options['body']!r}.")
        kind = KINDS[options["kind"]]
        try:
            kind_options = json.loads(options["options"])
        except json.JSONDecodeError as error:
            raise CommandError(f"--options is not JSON: {error}") from None
        data = {
            "name": options["name"] or options["slug"],
            "slug": options["slug"],
            "kind": options["kind"],
            "body": body.pk,
            "target": options["target"] or kind.targets[0],
            "url": options["url"],
            "folder": options["folder"],
            "options": json.dumps(kind_options),
            "mapping": json.dumps(read_json_file(options["mapping"]) if options["mapping"] else {}),
            "schedule": options["schedule"],
            "publish": not options["drafts"],
            "withdraw_after": options["withdraw_after"],
            "error_threshold": 0,
            "active": True,
        }
        form = HarvestSourceForm(data)
        if not form.is_valid():
            problems = [
                f"{name}: {message}" if name != "__all__" else message
                for name, messages in form.errors.items()
                for message in messages
            ]
            raise CommandError("The source was not saved:\n" + "\n".join(problems))
        source = form.save()
        schedule = describe_cron(source.schedule) if source.schedule else "on demand"
        self.stdout.write(f"{source.slug}: {source.kind} → {source.target} for {body.slug} ({schedule})")
