"""The import of one dataset's metadata from elsewhere (a harvested CKAN or DCAT catalogue).

(being written: `import_dataset(record, *, body, dataset=None, publish=True, user=None) -> (Dataset, outcome)`
and `withdraw_dataset(dataset, user=None)`.)
"""

from dataclasses import dataclass, field


@dataclass
class ResourceRecord:
    """One distribution of a harvested dataset: a link (its file is fetched only when the source asks)."""

    url: str
    name: dict[str, str] = field(default_factory=dict)  # language code ("ar", "fr", "en", or "" unknown) → text
    description: dict[str, str] = field(default_factory=dict)
    format: str = ""  # "CSV", "XLSX", … ("" when the source gives none: guessed from the media type or address)
    media_type: str = ""


@dataclass
class DatasetRecord:
    """A dataset as a remote catalogue describes it, in the portal's terms; the harvest kinds build it."""

    name: str  # the remote's slug or identifier; made a valid, free slug on import
    title: dict[str, str]  # language code → text ("" for a text in an unknown language)
    notes: dict[str, str] = field(default_factory=dict)
    licence: str = ""  # an identifier, URL or title the portal's licences are matched against
    tags: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # theme codes, slugs or DCAT-AP theme URIs
    frequency: str = ""  # a Dataset.Frequency value or a DCAT frequency URI
    temporal_start: str = ""  # ISO dates; a value that is not a date is reported and left out
    temporal_end: str = ""
    spatial: str = ""
    version: str = ""
    contact_email: str = ""
    resources: list[ResourceRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what was malformed and left out, reported with the object
