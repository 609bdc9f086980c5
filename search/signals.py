"""The search follows the records of other apps: a change is indexed after its commit, a withdrawal at once."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_unpublished, post_page_move

from portal.bulk import bulk_saved, note_saved
from portal.workflow import moved

from . import indexing, tasks
from .sources import SOURCES, source_of


def follow(record) -> None:
    follow_id(type(record), record.pk)


def follow_id(model, pk) -> None:
    """Index record `pk` after the commit if its source finds it public, remove it now otherwise."""
    source = source_of(model)
    if source is None or note_saved(model, pk):  # within a batch: indexed with it (batch_saved)
        return
    record_id = str(pk)
    if source.public().filter(pk=pk).exists():
        transaction.on_commit(lambda: tasks.index_record.delay(source.kind, record_id))
    else:
        indexing.remove_record(source.kind, record_id)


def follow_subtree(page: Page) -> None:
    """A move or a view restriction changes the addresses or the visibility of a page and everything under it."""
    for descendant in Page.objects.descendant_of(page, inclusive=True).specific():
        follow(descendant)


def batch_saved(sender, records, **kwargs):
    """Index the records of a batch (an import's) per kind, one task each, rather than one task per record."""
    by_kind: dict[str, set[str]] = {}
    for model, keys in records.items():
        source = source_of(model)
        if source is not None:
            by_kind.setdefault(source.kind, set()).update(str(pk) for pk in keys)
    for kind, record_ids in by_kind.items():
        tasks.index_records.delay(kind, sorted(record_ids))


def record_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        follow(instance)


def record_deleted(sender, instance, **kwargs):
    source = source_of(type(instance))
    if source is not None:
        indexing.remove_record(source.kind, str(instance.pk))


def page_withdrawn(sender, instance, **kwargs):
    follow(instance.specific)


def page_moved(sender, instance, **kwargs):
    follow_subtree(instance)


def restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()  # gone when the page itself is being deleted
    if page is not None:
        follow_subtree(page)


def status_moved(sender, record, **kwargs):
    follow(record)


# What of a resource its dataset's entries say: a save of other fields alone (a new version) changes nothing.
RESOURCE_FIELDS_IN_ENTRIES = {"name_ar", "name_fr", "name_en", "format", "dataset"}


def dataset_part_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A resource (its name, its format) or a keyword is part of what a dataset's entry says."""
    if update_fields is not None and not RESOURCE_FIELDS_IN_ENTRIES & set(update_fields):
        return
    if not raw:
        from opendata.models import Dataset, TaggedDataset

        follow_id(Dataset, instance.content_object_id if isinstance(instance, TaggedDataset) else instance.dataset_id)


def dataset_themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from opendata.models import Dataset

    if action in ("post_add", "post_remove", "post_clear"):
        datasets = (pk_set or ()) if reverse else [instance.pk]  # reverse: a theme's datasets changed
        for pk in datasets:
            follow_id(Dataset, pk)


def connect() -> None:
    from opendata.models import Dataset, Resource, TaggedDataset

    for source in SOURCES.values():
        for model in source.models:
            post_save.connect(record_saved, sender=model, dispatch_uid=f"search-saved-{model.__name__}")
            post_delete.connect(record_deleted, sender=model, dispatch_uid=f"search-deleted-{model.__name__}")
            moved.connect(status_moved, sender=model, dispatch_uid=f"search-moved-{model.__name__}")
    bulk_saved.connect(batch_saved, dispatch_uid="search-batch-saved")
    page_unpublished.connect(page_withdrawn, dispatch_uid="search-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search-page-moved")
    for signal in (post_save, post_delete):
        signal.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"search-restriction-{signal}")
    for part in (Resource, TaggedDataset):
        post_save.connect(dataset_part_changed, sender=part, dispatch_uid=f"search-{part.__name__}-saved")
        post_delete.connect(dataset_part_changed, sender=part, dispatch_uid=f"search-{part.__name__}-deleted")
    m2m_changed.connect(dataset_themes_changed, sender=Dataset.themes.through, dispatch_uid="search-dataset-themes")
