"""The kinds of harvest source, registered here and nowhere else."""

from .base import SourceKind

KINDS: dict[str, SourceKind] = {}


def register(kind: type[SourceKind]) -> type[SourceKind]:
    KINDS[kind.name] = kind()
    return kind


def kind_choices() -> list[tuple[str, str]]:
    return [(name, str(kind.label)) for name, kind in KINDS.items()]


# Each module registers its kind when imported.
from . import ckan, dcat, feed, geojson, ocds, table  # noqa: E402, F401
