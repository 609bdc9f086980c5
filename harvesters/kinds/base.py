"""The small interface every kind of harvest source implements, and what its stages hand each other.

A kind lists a source's objects (`gather`), gets one (`fetch`), and writes it through the target module's own
import function (`import_object`); `withdraw` takes an object gone from the source off the public pages. The
runner (`harvesters.runner`) calls them, hashes what `fetch` returns to skip what has not changed, and keeps
the objects, counts and errors. A kind raises `SourceFailure` when the whole source cannot be read (the job
fails and nothing already harvested is touched) and `ObjectFailure` when one object cannot (it is reported and
the others go on).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model
from django.utils.functional import Promise

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portal.importing import RowError

    from ..models import HarvestObject, HarvestSource


class SourceFailure(Exception):
    """The source as a whole cannot be read now; the message says why in plain words."""


class NetworkFailure(SourceFailure):
    """A failure of the network or of the remote server (timeout, refused connection, HTTP 5xx): worth retrying."""


class ObjectFailure(Exception):
    """One object cannot be fetched or imported; the message says why in plain words."""


@dataclass(frozen=True)
class Gathered:
    """One object a source lists."""

    remote_id: str  # unique within the source
    guid: str  # its identity across sources (a URI), to notice two sources bringing it into one body
    remote_url: str = ""  # the remote page people can open
    modified: str = ""  # the remote's change marker, for incremental runs
    content: Any = None  # when the listing already carries the whole object, `fetch` is not called


@dataclass
class Imported:
    """What importing one object did."""

    outcome: str  # "created", "updated" or "unchanged"
    record: Model | None = None  # the local record it became, for provenance and withdrawal
    # For objects that are whole files (a CSV of payments): the rows the module's report counted.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: "list[RowError]" = field(default_factory=list)  # rows of a file that were not imported
    warnings: list[str] = field(default_factory=list)  # imported, but with what they say left out or to check


class SourceKind(ABC):
    """A kind of harvest source. Subclasses are registered in `harvesters.kinds.KINDS`."""

    name: ClassVar[str]
    label: ClassVar[Promise]
    targets: ClassVar[tuple[str, ...]]  # the Target values it can feed
    # Where it reads: "url" (an address), "file" (an address, an uploaded file or a watched folder).
    location: ClassVar[str] = "url"
    needs_mapping: ClassVar[bool] = False

    def check(self, source: "HarvestSource") -> None:
        """Raise django.core.exceptions.ValidationError when the source's options do not suit this kind."""
        return None  # a kind without options has nothing to check

    @abstractmethod
    def gather(self, source: "HarvestSource", since: str) -> "Iterable[Gathered]":
        """List the source's objects. `since` is the newest change marker of the last complete run ("" if none)."""

    @abstractmethod
    def fetch(self, source: "HarvestSource", gathered: Gathered) -> Any:
        """Return the object's content: JSON-like data or bytes (hashed by the runner to skip unchanged ones)."""

    @abstractmethod
    def import_object(self, source: "HarvestSource", obj: "HarvestObject", content: Any) -> Imported:
        """Write the object through the target module's import function (its record, if any, is `obj.record`)."""

    def withdraws(self, source: "HarvestSource") -> bool:
        """Whether an object gone from the source's listing is withdrawn (after `withdraw_after` runs)."""
        return True

    def withdraw(self, source: "HarvestSource", obj: "HarvestObject") -> None:
        """Take the object's record off the public pages (never delete it)."""
        return None  # a kind whose records stay (withdraws() False) has nothing to take off
