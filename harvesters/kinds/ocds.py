"""Public contracts published in the Open Contracting Data Standard: a release or record package at an address.

The package is one harvest object, its bytes its content (an unchanged package imports nothing), written through
`opendata.spending.ocds.import_contracts` into the source's body: it reads release and record packages, bare
releases, records and JSON Lines, and keeps one contracting process per ocid, merging the releases as OCDS does.
A package that is not OCDS fails its object and changes nothing; a release left out is reported as an error.

Nothing is withdrawn: a package gone from its address takes no process off the portal, since a published
contract stays a matter of record (and OCDS releases are never retracted, only superseded). Contracts have no
draft state either: such a source publishes at once.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Target
from . import register
from .base import Gathered, Imported, ObjectFailure, SourceKind
from .table import imported, refuse_drafts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..models import HarvestObject, HarvestSource


@register
class OcdsKind(SourceKind):
    name = "ocds"
    label = gettext_lazy("Public contracts (OCDS packages)")
    targets = (Target.CONTRACTS,)

    def check(self, source: "HarvestSource") -> None:
        if not source.url:
            raise ValidationError({"url": _("An OCDS package is read at an address.")})
        if source.target != Target.CONTRACTS:
            raise ValidationError({"target": _("OCDS packages bring public contracts.")})
        refuse_drafts(source, Target.CONTRACTS)

    def gather(self, source: "HarvestSource", since: str) -> "Iterator[Gathered]":
        yield Gathered(remote_id=source.url[:500], guid=source.url, remote_url=source.url)

    def fetch(self, source: "HarvestSource", gathered: Gathered) -> bytes:
        from harvesters import network

        return network.get(source.url, accept="application/json", max_bytes=settings.HARVEST_MAX_BYTES).content

    def import_object(self, source: "HarvestSource", obj: "HarvestObject", content: Any) -> Imported:
        from opendata.spending.ocds import OcdsFileError, import_contracts

        refuse_drafts(source, Target.CONTRACTS)
        try:
            report = import_contracts(content, body=source.body)
        except OcdsFileError as error:
            raise ObjectFailure(str(error)) from None
        return imported(obj, report)

    def withdraws(self, source: "HarvestSource") -> bool:
        return False  # contracts stay a matter of record

    def withdraw(self, source: "HarvestSource", obj: "HarvestObject") -> None:
        """Nothing to take off: contracts stay a matter of record (see the module's docstring)."""
