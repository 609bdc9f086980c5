"""Searching the catalogue: the one function behind the public listing, `package_search` and the REST API."""

import datetime
import functools
import re
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import get_language

from portal.caching import cached_fragments, query_key
from portal.i18n import language_order
from portal.searching import among, matching_ids

from .models import Dataset, Resource, TaggedDataset

# Facet name (CKAN's) → the lookup that gives each dataset's values for it.
FACETS = {
    "organization": "body__slug",
    "groups": "themes__slug",
    "tags": "tags__name",
    "res_format": "resources__format",
    "license_id": "licence__slug",
}
SORTS = {
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "name": "name",
    "title_string": "title_sort",
    "id": "uuid",  # CKAN harvesters page with `sort=id asc`
}
MAX_ROWS = 1000  # CKAN's ckan.search.rows_max


class CatalogueQueryError(ValueError):
    """A search the catalogue can't run; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class DatasetSearch:
    """What to look for: words, facet filters (values OR'd within a facet, facets AND'ed), order and page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    excludes: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    start: int = 0
    rows: int = 10
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1
    after: str = ""  # a cursor (cursor_of): the page after that dataset, in the default order


@dataclass
class SearchResult:
    count: int
    ids: list[int]  # the page's datasets, in order
    facets: dict[str, dict[str, int]]
    next_cursor: str = ""

    @functools.cached_property
    def results(self) -> list[Dataset]:
        """The page's datasets with everything they show, loaded when first read: the CKAN API may answer from the
        dictionaries it keeps (dictization.kept_package_dicts) without them."""
        loaded = {dataset.pk: dataset for dataset in with_related(Dataset.objects.filter(pk__in=self.ids))}
        return [loaded[pk] for pk in self.ids if pk in loaded]


def published_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.published()


def with_related(queryset: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Everything a dataset's page, CKAN dictionary or DCAT record reads, in a fixed number of queries."""
    resources = Resource.objects.select_related("current_version").order_by("position", "pk")
    return queryset.select_related("body", "licence").prefetch_related(
        "themes", "tags", Prefetch("resources", queryset=resources)
    )


def facet_condition(name: str, values: list[str], lookup: str = "in") -> Q:
    """Return the datasets with a value of facet `name` that `lookup` matches in `values` (`in`, `exact`,
    `startswith`, or `isnull` with False: any value).

    The many-valued facets are EXISTS on their link tables, which their indexes answer, rather than joins that
    repeat a dataset once per value; listings, `fq` and the REST API all filter through here.
    """
    if name not in FACETS:
        raise CatalogueQueryError("fq", f"unknown field: {name}")
    if name == "res_format" and lookup != "isnull":
        values = [value.upper() for value in values] if lookup == "in" else values.upper()  # stored upper-case
    if lookup == "isnull":
        values = False
    if name == "groups":
        links = Dataset.themes.through.objects.filter(dataset_id=OuterRef("pk"), **{f"theme__slug__{lookup}": values})
        return Q(Exists(links))
    if name == "tags":
        tagged = TaggedDataset.objects.filter(content_object_id=OuterRef("pk"), **{f"tag__name__{lookup}": values})
        return Q(Exists(tagged))
    if name == "res_format":
        resources = Resource.objects.filter(dataset_id=OuterRef("pk"), **{f"format__{lookup}": values})
        if lookup == "isnull":
            resources = resources.exclude(format="")
        return Q(Exists(resources))
    return Q(**{f"{FACETS[name]}__{lookup}": values})


def _words_condition(q: str) -> Q:
    """The published datasets the portal's search finds for `q` (portal.searching: folded alike everywhere);
    the drafts and withdrawn ones a publisher may list (the search holds public records only) by their words."""
    found = among([int(record_id) for record_id in matching_ids("dataset", q)])
    # Each word read in the unpublished datasets only, not the whole catalogue.
    unpublished = Dataset.objects.exclude(status=Dataset.Status.PUBLISHED)
    drafts = Q()
    for word in q.split():
        drafts &= word_condition(word, within=unpublished)
    return found | drafts if drafts else found


def word_condition(
    word: str, fields: tuple[str, ...] = ("name", "tags", "title", "notes"), within: QuerySet[Dataset] | None = None
) -> Q:
    """Return the datasets (of `within`, all by default) with `word` in one of `fields`: in the name, a title or
    notes in any language, or as a whole keyword."""
    condition = Q(pk__in=[])
    if "name" in fields:
        condition |= Q(name__icontains=word)
    if "tags" in fields:
        condition |= Q(tags__name__iexact=word)
    for language in ("ar", "fr", "en"):
        for text_field in {"title", "notes"}.intersection(fields):
            condition |= Q(**{f"{text_field}_{language}__icontains": word})
    return Q(pk__in=(Dataset.objects if within is None else within).filter(condition).values("pk"))


def _order_by(sort: str) -> list[str]:
    """The ORDER BY of a CKAN `sort`, ending with the primary key in the direction of the last key, so that the
    order is total (pages neither repeat nor skip a dataset) and an index serves it read backwards or forwards."""
    order = []
    for part in filter(None, (part.strip() for part in sort.split(","))):
        name, _space, direction = part.rpartition(" ")
        if direction.lower() not in ("asc", "desc"):
            raise CatalogueQueryError("sort", f"Invalid sort: {part!r} (expected a field and asc or desc)")
        if name == "score":
            continue  # no relevance score: datasets are ordered by what follows
        if name not in SORTS:
            raise CatalogueQueryError("sort", f"Cannot sort by {name!r}")
        order.append(("-" if direction.lower() == "desc" else "") + SORTS[name])
    order = order or ["-modified_at"]
    return [*order, "-pk" if order[-1].startswith("-") else "pk"]


# The order a cursor can continue: the listing's default, which Dataset.Meta's status-and-date index serves.
KEYSET_ORDER = ["-modified_at", "-pk"]
CURSOR = re.compile(
    r"^([0-9]{1,17})-([0-9]{1,18})$"
)  # microseconds since 1970 and a primary key, e.g. 1764950400000000-42
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def cursor_of(pk: int, modified_at: datetime.datetime) -> str:
    """Return the cursor that continues a listing after the dataset `pk` last modified at `modified_at` (in
    KEYSET_ORDER)."""
    micros = (modified_at - EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}-{pk}"


def _after(cursor: str) -> Q | None:
    """The datasets that come after `cursor` in KEYSET_ORDER; None for text that is no cursor of ours."""
    match = CURSOR.match(cursor or "")
    if match is None:
        return None
    try:
        modified_at = EPOCH + datetime.timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    # `modified_at <= …` on its own, which the index bounds; the OR then only settles the rows of that instant.
    return Q(modified_at__lte=modified_at) & (Q(modified_at__lt=modified_at) | Q(pk__lt=int(match[2])))


def is_cursor(text: str) -> bool:
    """Whether `text` reads as a cursor of ours (one that cursor_of could have written)."""
    return _after(text) is not None


def search_datasets(search: DatasetSearch, queryset: QuerySet[Dataset] | None = None) -> SearchResult:
    """Run `search` over `queryset` (the published datasets by default).

    The page is found in two steps: the ids of its datasets, in an order an index serves (`start` then skips
    index entries, not rows), then those datasets with everything they show. With `after` (a cursor) and the
    default order, the page starts after the cursor's dataset instead of at `start`; a text that is no cursor
    is ignored (the first page). The result's `next_cursor` continues the listing when more datasets follow.
    """
    published = queryset is None
    queryset = published_datasets() if published else queryset
    condition = Q()
    if search.q.strip():
        condition &= _words_condition(search.q)
    for name, values in search.filters.items():
        if values:
            condition &= facet_condition(name, values)
    for name, values in search.excludes.items():
        if values:
            condition &= ~facet_condition(name, values)
    matching = queryset.filter(condition)

    order = _order_by(search.sort)
    rows = max(0, min(search.rows, MAX_ROWS))
    start = max(0, search.start)
    page = matching
    if "title_sort" in (key.lstrip("-") for key in order):
        titles = [NullIf(f"title_{language}", Value("")) for language in language_order(get_language())]
        page = page.annotate(title_sort=Lower(Coalesce(*titles, "name", output_field=CharField())))
    keyset = _after(search.after) if order == KEYSET_ORDER else None
    if keyset is not None:
        page, start = page.filter(keyset), 0
    ids, next_cursor = [], ""
    if rows:
        # One more row than the page holds says whether another page follows.
        found = list(page.order_by(*order).values_list("pk", "modified_at")[start : start + rows + 1])
        ids = [pk for pk, _modified_at in found[:rows]]
        if len(found) > rows and order == KEYSET_ORDER:
            next_cursor = cursor_of(*found[rows - 1])
    for name in search.facet_fields:
        if name not in FACETS:
            raise CatalogueQueryError("facet.field", f"Cannot facet on {name!r}")
    if not search.q.strip() and (scope := query_key(matching)) is not None:
        # Without words (the listing's views, a harvester's `fq`), the counts are kept until the next change of
        # content, under the query that counts them: the same rows, whoever asks. Counting a filter's matches is
        # what grows with the data.
        computes = {(scope, name): functools.partial(_all_facet_counts, name, matching) for name in search.facet_fields}
        computes[(scope, "count")] = matching.count
        kept = cached_fragments(
            "opendata:catalogue-counts", list(computes), lambda missing: {part: computes[part]() for part in missing}
        )
        facets = {
            name: _limited(kept[(scope, name)], search.facet_mincount, search.facet_limit)
            for name in search.facet_fields
        }
        return SearchResult(count=kept[(scope, "count")], ids=ids, facets=facets, next_cursor=next_cursor)

    count = matching.count()
    facets = {}
    for name in search.facet_fields:
        counts = _facet_counts(name, matching).filter(count__gte=search.facet_mincount).order_by("-count", "value")
        if search.facet_limit >= 0:
            counts = counts[: search.facet_limit]
        facets[name] = {row["value"]: row["count"] for row in counts}
    return SearchResult(count=count, ids=ids, facets=facets, next_cursor=next_cursor)


def _all_facet_counts(name: str, matching: QuerySet[Dataset]) -> list[tuple[str | None, int]]:
    """Every value of facet `name` among `matching` with its count, most datasets first."""
    return list(_facet_counts(name, matching).order_by("-count", "value").values_list("value", "count"))


def _limited(counts: list[tuple[str | None, int]], mincount: int, limit: int) -> dict[str | None, int]:
    """The first `limit` (all when negative) of `counts` that reach `mincount`, as the live query would keep."""
    kept = [(value, count) for value, count in counts if count >= mincount]
    return dict(kept[:limit] if limit >= 0 else kept)


def _facet_counts(name: str, matching: QuerySet[Dataset]) -> QuerySet:
    """Rows of `value` and `count` (datasets) for one facet.

    Many-valued facets are counted from their link tables, so that no dataset is joined to all its values
    and counted DISTINCT: at 10,000 datasets that is several times faster.
    """
    if name == "groups":
        links = Dataset.themes.through.objects.filter(dataset__in=matching)
        return links.values(value=F("theme__slug")).annotate(count=Count("dataset_id"))
    if name == "tags":
        links = TaggedDataset.objects.filter(content_object__in=matching)
        return links.values(value=F("tag__name")).annotate(count=Count("content_object_id", distinct=True))
    if name == "res_format":
        resources = Resource.objects.filter(dataset__in=matching).exclude(format="")
        return resources.values(value=F("format")).annotate(count=Count("dataset_id", distinct=True))
    return matching.values(value=F(FACETS[name])).annotate(count=Count("pk"))
