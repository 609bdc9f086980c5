"""The one form a harvest source is declared with: the admin's, and `manage.py add_harvest_source`'s.

It checks what a source must be before it runs: a kind that can feed the chosen module, a place to read that
suits the kind (an http(s) address on the public internet, an uploaded file or a folder below the harvest root),
a valid cron schedule, the kind's own options, mapping and folder (`SourceKind.check`), and no other source of
the same body already harvesting that address into that module.
"""

from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from portal.bodies.models import RoleGrant

from .kinds import KINDS, kind_choices
from .models import HarvestSource, Target
from .network import SCHEMES, AddressRefused, checked_addresses
from .schedules import validate_cron

FIELDS = [
    "name",
    "slug",
    "kind",
    "body",
    "target",
    "url",
    "upload",
    "folder",
    "options",
    "mapping",
    "schedule",
    "publish",
    "withdraw_after",
    "error_threshold",
    "owner",
    "active",
]


class HarvestSourceForm(WagtailAdminModelForm):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=kind_choices)

    class Meta:
        model = HarvestSource
        fields = FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:  # staff only: the portal's citizens are no one's business here
            staff = Q(is_superuser=True) | Q(role_grants__isnull=False)
            self.fields["owner"].queryset = get_user_model().objects.filter(staff, is_active=True).distinct()

    def clean_url(self) -> str:
        """An http(s) address whose server is on the public internet (or in HARVEST_ALLOWED_HOSTS)."""
        url = (self.cleaned_data.get("url") or "").strip()
        if not url:
            return url
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValidationError(_("The port of this address is not a number between 1 and 65535.")) from None
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValidationError(_("Give an address that starts with http:// or https://."))
        try:
            checked_addresses(parts.hostname, port)
        except AddressRefused as refused:
            raise ValidationError(str(refused)) from None
        except OSError:
            pass  # a name that does not resolve now: each run tries again, and says so
        return url

    def clean_schedule(self) -> str:
        schedule = " ".join((self.cleaned_data.get("schedule") or "").split())
        if schedule:
            validate_cron(schedule)
        return schedule

    def clean_options(self):
        return self.cleaned_data.get("options") or {}

    def clean_mapping(self):
        return self.cleaned_data.get("mapping") or {}

    def clean(self):
        cleaned = super().clean()
        kind = KINDS.get(cleaned.get("kind") or "")
        target = cleaned.get("target")
        if kind is None or not target:
            return cleaned
        if target not in kind.targets:
            labels = ", ".join(str(Target(value).label) for value in kind.targets)
            self.add_error("target", _("This kind of source can feed: %(targets)s.") % {"targets": labels})
            return cleaned
        self._check_location(kind, cleaned)
        self._check_not_harvested_elsewhere(cleaned)
        self._check_owner(cleaned)
        if not self.errors:
            candidate = HarvestSource(**{name: cleaned.get(name) for name in FIELDS if name in cleaned})
            try:
                kind.check(candidate)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def _check_location(self, kind, cleaned: dict) -> None:
        given = [name for name in ("url", "upload", "folder") if cleaned.get(name)]
        if kind.location == "url":
            if given != ["url"]:
                self.add_error("url", _("This kind of source is read at an address: give its address only."))
        elif len(given) != 1:
            self.add_error(None, _("Give one place to read: an address, an uploaded file or a watched folder."))

    def _check_owner(self, cleaned: dict) -> None:
        """The owner gets the job reports: staff of the source's body (or above it), not another body's."""
        owner, body = cleaned.get("owner"), cleaned.get("body")
        if owner and body and not owner.is_superuser and not RoleGrant.objects.covering(body).filter(user=owner):
            self.add_error("owner", _("The owner must hold a role on the source's body."))

    def _check_not_harvested_elsewhere(self, cleaned: dict) -> None:
        url, body, target = cleaned.get("url"), cleaned.get("body"), cleaned.get("target")
        if not (url and body):
            return
        others = HarvestSource.objects.filter(url=url, body=body, target=target).exclude(pk=self.instance.pk)
        if other := others.first():
            self.add_error(
                "url",
                _("The source “%(source)s” already harvests this address into this body.") % {"source": other.name},
            )
