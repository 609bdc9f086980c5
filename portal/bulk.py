"""Saving many records at once: what follows each save (search indexes, Wagtail's reference index) once per batch.

Every save of a page or record starts work of its own after it: our search writes the record's entries (a
Celery task per record), Wagtail's search index (modelsearch) rewrites the page's index row, Wagtail's
reference index reads its links. An import saves a page three times (created, revision, published), so
that work was done three times per page, one task each, and took most of an import's time. Within
`bulk_changes()` the saves are collected instead, and each follower does its work once per record, for
the whole batch, when the block ends: the reference index in the block's own transaction, the search
indexes after the commit (`bulk_saved`, which the search app follows, and modelsearch's `add_bulk`).

modelsearch's database backend reads every search field of a record five times as it indexes it (its title,
body and autocomplete vectors and texts each go through all the fields): rendering a page's rich text and
folding its words five times over took a fifth of an import. While a batch is indexed, each field of each
record is read once (`_read_once`).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once per batch after its commit, with `records`: {model: {primary key, …}} of every record saved in it.
bulk_saved = Signal()

_saved: ContextVar[dict[type[Model], set] | None] = ContextVar("bulk_saved_records", default=None)
# The records whose references their writer indexed itself (cms.bulk_pages, from the objects it holds).
_referenced: ContextVar[dict[type[Model], set] | None] = ContextVar("bulk_referenced_records", default=None)
_model_search_deferred = False
# While a batch is indexed: {(id(record), id(search field)): (record, value)} (_read_once); None elsewhere. The
# record is kept so that its id names it alone (related records are read anew for each of the five passes).
_field_values: ContextVar[dict[tuple[int, int], tuple] | None] = ContextVar("bulk_field_values", default=None)


def note_saved(model: type[Model], pk, *, references_indexed: bool = False) -> bool:
    """Within `bulk_changes()`, note that record `pk` of `model` was saved and return True (the caller leaves
    the follow-up work to the end of the batch); outside, return False. `references_indexed`: the caller wrote
    the record's entries of Wagtail's reference index already; the batch leaves them be."""
    saved, referenced = _saved.get(), _referenced.get()
    if saved is None or referenced is None:
        return False
    saved.setdefault(model, set()).add(pk)
    if references_indexed:
        referenced.setdefault(model, set()).add(pk)
    return True


@contextmanager
def bulk_changes() -> Iterator[dict[type[Model], set]]:
    """Collect the records saved within the block and index them once, as a batch, when it ends without error.

    Wrap a block that holds its own `transaction.atomic()` (or runs in autocommit): the search indexes are
    written after the commit. When the block raises, nothing is indexed (its transaction rolled back).
    Blocks do not nest: an inner block's records are indexed with the outer block's.
    """
    from wagtail.signal_handlers import disable_reference_index_auto_update

    if _saved.get() is not None:
        yield _saved.get()  # type: ignore[misc]
        return
    _defer_model_search()
    saved: dict[type[Model], set] = {}
    referenced: dict[type[Model], set] = {}
    token, referenced_token = _saved.set(saved), _referenced.set(referenced)
    try:
        with disable_reference_index_auto_update():
            yield saved
    finally:
        _saved.reset(token)
        _referenced.reset(referenced_token)
    _index_references({model: keys - referenced.get(model, set()) for model, keys in saved.items()})
    transaction.on_commit(lambda: _index_batch(saved))


def _index_references(saved: dict[type[Model], set]) -> None:
    from wagtail.models import ReferenceIndex

    for model, keys in saved.items():
        if keys and ReferenceIndex.model_is_indexable(model):
            for record in model._default_manager.filter(pk__in=keys):
                ReferenceIndex.create_or_update_for_object(record)


def _index_batch(saved: dict[type[Model], set]) -> None:
    from modelsearch.backends import get_search_backends_with_name
    from modelsearch.index import class_is_indexed

    bulk_saved.send(sender=None, records=saved)
    for model, keys in saved.items():
        if not class_is_indexed(model) or not getattr(model, "search_auto_update", True):
            continue
        records = list(model.get_indexed_objects().filter(pk__in=keys))  # type: ignore[attr-defined]
        for name, backend in get_search_backends_with_name(with_auto_update=True):
            try:
                with _read_once():
                    backend.add_bulk(model, records)
            except Exception:
                # As modelsearch does for one record: a search index that fails does not undo the saves.
                logger.exception("Could not index %s records in the %r search backend", model.__name__, name)


@contextmanager
def _read_once() -> Iterator[None]:
    """Within the block, a search field's value of a record is read once and remembered (the records must not
    change within it: a batch being indexed)."""
    _read_fields_once()
    token = _field_values.set({})
    try:
        yield
    finally:
        _field_values.reset(token)


def _read_fields_once() -> None:
    """Put a reader in the place of modelsearch's `BaseField.get_value` that remembers the values within
    `_read_once()` and reads as before elsewhere (another thread, a single save); once per process."""
    from modelsearch.index import BaseField

    if getattr(BaseField.get_value, "read_once", False):
        return
    read = BaseField.get_value

    def get_value(field, obj):
        values = _field_values.get()
        if values is None:
            return read(field, obj)
        key = (id(obj), id(field))
        if key not in values:
            values[key] = (obj, read(field, obj))
        return values[key][1]

    get_value.read_once = True  # type: ignore[attr-defined]
    BaseField.get_value = get_value


def _record_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        note_saved(sender, instance.pk)


def _model_search_saved(sender, instance, raw=False, **kwargs) -> None:
    from modelsearch.signal_handlers import post_save_signal_handler

    if _saved.get() is None:
        post_save_signal_handler(instance=instance, raw=raw, **kwargs)


def _defer_model_search() -> None:
    """Note every save within `bulk_changes()`, and put a receiver that waits for the batch's end in the place
    of modelsearch's own, which indexes each save at once (in a task of its own); once per process."""
    global _model_search_deferred
    if _model_search_deferred:
        return
    from modelsearch.index import get_indexed_models
    from modelsearch.signal_handlers import post_save_signal_handler

    post_save.connect(_record_saved, weak=False, dispatch_uid="portal-bulk-record-saved")
    for model in get_indexed_models():
        if post_save.disconnect(post_save_signal_handler, sender=model):
            post_save.connect(_model_search_saved, sender=model, weak=False)
    _model_search_deferred = True
