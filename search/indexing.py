"""Keep the search entries in step with the public records, and the search backend with the entries.

A record that stops being public leaves at once (`remove_record`, in the request that unpublishes it: a
delete is cheap and must not wait for a worker). A record that is public, new or changed, is written by a
background task after the commit (`search.tasks.index_record`). `refresh_entries` rebuilds everything.

A search server that is down does not stop any of it: the entries in the database stay right (a withdrawn
record leaves them, so no search shows it), the failure is logged, and `manage.py update_index` brings the
server back in step.

On PostgreSQL with the database backend the search reads the entries' own vectors (portal.searching), not
modelsearch's index: there the entries are not indexed, and an entry written or removed leaves no row in
modelsearch's table (`SearchEntry.in_model_search_index`), so none can say what an entry no longer says.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from modelsearch.backends import get_search_backends
from modelsearch.backends.base import BaseSearchBackend
from modelsearch.utils import get_content_type_pk

from portal.analysis import search_terms
from portal.models import SearchEntry
from portal.searching import UNAVAILABLE_ERRORS

from .sources import SOURCES, Document, documents_of

logger = logging.getLogger(__name__)
BATCH = 500  # entries written and indexed at a time in a rebuild


def entry_fields(document: Document) -> dict:
    return {
        "title": document.title[:2000],
        "summary": document.summary,
        "text": document.text,
        "url": document.url,
        "body_id": document.body_id,
        "year": document.year,
        "date": document.date,
        "topic": document.topic,
        "format": document.format,
        "title_terms": search_terms(document.title),
        "terms": search_terms(" ".join([document.title, document.summary, document.text])),
    }


def index_record(kind: str, record_id: str) -> None:
    """Make the entries of record `record_id` say what it publishes now, or remove them if it is not public."""
    source = SOURCES[kind]
    record = source.find(record_id)
    if record is None:
        remove_record(kind, record_id)
        return
    documents = source.documents(record)
    with transaction.atomic():
        stale = SearchEntry.objects.filter(kind=kind, record_id=record_id).exclude(
            language__in=[document.language for document in documents]
        )
        _unindex(list(stale))
        stale.delete()
        entries = [
            SearchEntry.objects.update_or_create(
                kind=kind, record_id=record_id, language=document.language, defaults=entry_fields(document)
            )[0]
            for document in documents
        ]
    _index(entries)


def index_records(kind: str, record_ids: list[str]) -> None:
    """Make the entries of many records of `kind` say what they publish now, in one go (a batch of an import):
    the public ones written and indexed in bulk, the others' entries removed."""
    wanted = {str(record_id) for record_id in record_ids}
    public = SOURCES[kind].public().filter(pk__in=wanted)
    documents = [(kind, record_id, document) for record_id, found in documents_of(kind, public) for document in found]
    for record_id in sorted(wanted - {record_id for _kind, record_id, _document in documents}):
        remove_record(kind, record_id)
    languages = {(record_id, document.language) for _kind, record_id, document in documents}
    stale = [
        entry
        for entry in SearchEntry.objects.filter(kind=kind, record_id__in=wanted)
        if (entry.record_id, entry.language) not in languages
    ]
    _unindex(stale)
    SearchEntry.objects.filter(pk__in=[entry.pk for entry in stale]).delete()
    index_entries(documents)


def remove_record(kind: str, record_id: str) -> None:
    entries = list(SearchEntry.objects.filter(kind=kind, record_id=str(record_id)))
    _unindex(entries)
    SearchEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()


def _index(entries: list[SearchEntry]) -> None:
    """Write `entries` (saved) in the index of each backend that holds entries, remove them from the others'."""
    if not entries:
        return

    def write(backend: BaseSearchBackend) -> None:
        if SearchEntry.in_model_search_index(backend):
            backend.add_bulk(SearchEntry, entries)
        else:
            _forget(backend, entries)

    _on_backends(write)


def _unindex(entries: list[SearchEntry]) -> None:
    if not entries:
        return

    def delete(backend: BaseSearchBackend) -> None:
        if not SearchEntry.in_model_search_index(backend):
            _forget(backend, entries)
            return
        for entry in entries:
            backend.delete(entry)

    _on_backends(delete)


def _forget(backend: BaseSearchBackend, entries: list[SearchEntry]) -> None:
    """Delete the rows of `entries` from the table of modelsearch's database backend, in one query: rows indexed
    before the entries' own vectors (or by `update_index` before this backend left them out) would go stale."""
    index = backend.get_index_for_model(SearchEntry)
    rows = index.entries.filter(
        content_type_id=get_content_type_pk(SearchEntry), object_id__in=[str(entry.pk) for entry in entries]
    )
    rows._raw_delete(index.write_connection.alias)


def _on_backends(write: Callable[[BaseSearchBackend], None]) -> None:
    for backend in get_search_backends():
        try:
            write(backend)
        except UNAVAILABLE_ERRORS:
            logger.exception("The search server did not answer: run manage.py update_index once it is back")


def refresh_entries(kinds: list[str] | None = None) -> dict[str, int]:
    """Write the entries of every public record of `kinds` (all by default), remove the others, index them.

    Return the number of entries per kind. Records are read and written in batches; a record whose
    documents cannot be made is logged and skipped, so that one bad page does not stop a rebuild.
    """
    counts = {}
    for kind in kinds or list(SOURCES):
        seen: set[str] = set()
        batch: list[SearchEntry] = []
        records = SOURCES[kind].public().iterator(chunk_size=BATCH)
        for record_id, documents in documents_of(kind, records):
            for document in documents:
                batch.append(
                    SearchEntry(kind=kind, record_id=record_id, language=document.language, **entry_fields(document))
                )
            seen.add(record_id)
            if len(batch) >= BATCH:
                _write(batch)
                batch = []
        _write(batch)
        gone = sorted(set(SearchEntry.objects.filter(kind=kind).values_list("record_id", flat=True)) - seen)
        for record_id in gone:
            remove_record(kind, record_id)
        counts[kind] = SearchEntry.objects.filter(kind=kind).count()
    return counts


def index_entries(documents: list[tuple[str, str, Document]]) -> None:
    """Write and index entries straight from (kind, record_id, document): for imports of records kept elsewhere,
    benchmarks and the relevance set."""
    for start in range(0, len(documents), BATCH):
        _write(
            [
                SearchEntry(kind=kind, record_id=record_id, language=document.language, **entry_fields(document))
                for kind, record_id, document in documents[start : start + BATCH]
            ]
        )


def _write(batch: list[SearchEntry]) -> None:
    if not batch:
        return
    fields = [name for name in entry_fields(Document(language="", title="", url="")) if name != "body_id"] + ["body"]
    with transaction.atomic():
        SearchEntry.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["kind", "record_id", "language"],
            update_fields=fields,
        )
    written = batch
    if any(entry.pk is None for entry in batch):
        # bulk_create with update_conflicts leaves the primary keys unset on SQLite: read them back to index.
        keys = {(entry.kind, entry.record_id, entry.language) for entry in batch}
        written = [
            entry
            for entry in SearchEntry.objects.filter(record_id__in={key[1] for key in keys})
            if (entry.kind, entry.record_id, entry.language) in keys
        ]
    _index(written)
