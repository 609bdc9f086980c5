"""Creating many new pages at once, published, with the rows Wagtail's one-page path leaves behind.

Wagtail creates a page with `add_child` (which locks and reads its parent, inserts the page and updates the
parent's `numchild`), then `save_revision` and its publication (a revision, the page saved twice again, log
entries, signals, comments and aliases): about 80 queries a page, which held an import at 9 pages a second.
`BulkPageCreator` collects new pages, already validated by the caller (`full_clean`), and writes a batch of
them in a handful of queries per model: the page rows with their treebeard paths computed from each parent's
last child (treebeard's own `_get_path`), each parent's `numchild` once, the specific rows, the child rows
(inlines) and the many-to-many rows, one revision per page (its `serializable_data()`) set as both the latest
and the live revision, and the "wagtail.create" and "wagtail.publish" log entries that the history shows.

What follows a publication is done for the batch or kept per page:
- the search indexes (ours and Wagtail's): the pages are noted in `portal.bulk.bulk_changes()`, which indexes
  them once per batch, as it does for pages saved one by one; Wagtail's reference index is written here, from
  the pages held in memory (their inlines and topics too), rather than from the pages read back;
- `page_published` and `published`: sent per page, after the rows are written, in the caller's transaction:
  the same moment as Wagtail's own publication, so that its receivers (the front-end cache's, the API's,
  ours to come) see the same thing; a receiver that needs the commit defers itself, as with Wagtail's path;
- comments and aliases: a new page has none.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models import F
from django.utils import timezone
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from treebeard.exceptions import PathOverflow
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signals import page_published, published

from portal.bulk import bulk_changes, note_saved


class BulkPageCreator:
    """New pages waiting to be written, published, as a batch (`add`, then `write` in the batch's transaction)."""

    def __init__(self, user=None):
        self.user = user
        self.pending: dict[int, tuple[Page, list[Page]]] = {}  # parent's pk -> (parent, its new children)
        self.slugs: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return sum(len(children) for _parent, children in self.pending.values())

    def available_slug(self, parent: Page, requested: str) -> str:
        """A slug free under `parent`, among its stored children and the pages waiting to be written under it."""
        waiting = self.slugs.get(parent.pk, set())
        slug, number = find_available_slug(parent, requested), 1
        while slug in waiting:
            number += 1
            slug = find_available_slug(parent, f"{requested}-{number}")
        return slug

    def add(self, parent: Page, page: Page) -> None:
        """Queue the new, validated, specific `page` under `parent` (a direct subclass of Page, not saved yet)."""
        if page.pk is not None or type(page)._meta.get_parent_list() != [Page]:
            raise ValueError(f"{page!r}: only a new page of a direct subclass of Page can be written in bulk")
        self.pending.setdefault(parent.pk, (parent, []))[1].append(page)
        self.slugs.setdefault(parent.pk, set()).add(page.slug)

    def write(self) -> list[Page]:
        """Write the pages queued, published; return them. Run in the caller's transaction, as one piece."""
        now = timezone.now()
        pages: list[Page] = []
        with bulk_changes():
            for parent, children in self.pending.values():
                self._place(parent, children)
                pages += children
            if not pages:
                return []
            children_of = {id(page): self._children(page) for page in pages}
            for page in pages:
                self._prepare(page, now)
            Page.objects.bulk_create(pages)
            by_model: dict[type[Page], list[Page]] = {}
            for page in pages:
                setattr(page, type(page)._meta.pk.attname, page.id)
                by_model.setdefault(type(page), []).append(page)
            for model, group in by_model.items():
                _insert_specific_rows(model, group)
            self._write_children(pages, children_of)
            revisions = [self._revision(page, now) for page in pages]
            Revision.objects.bulk_create(revisions)
            for page, revision in zip(pages, revisions, strict=True):
                page.latest_revision = page.live_revision = revision
            Page.objects.bulk_update(pages, ["latest_revision", "live_revision"])
            PageLogEntry.objects.bulk_create(self._log_entries(pages, revisions, now))
            _index_references(pages)
            for page in pages:
                note_saved(type(page), page.pk, references_indexed=True)
        for page, revision in zip(pages, revisions, strict=True):
            page_published.send(sender=type(page), instance=page, revision=revision)
            published.send(sender=type(page), instance=page, revision=revision)
        self.pending, self.slugs = {}, {}
        return pages

    @staticmethod
    def _place(parent: Page, children: list[Page]) -> None:
        """Give `children` the paths after `parent`'s last child, their url paths, and count them in `parent`."""
        depth = parent.depth + 1
        last = (
            Page.objects.filter(path__startswith=parent.path, depth=depth)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        position = Page._str2int(last[-Page.steplen :]) if last else 0
        if position + len(children) >= len(Page.alphabet) ** Page.steplen:
            raise PathOverflow(f"No room for {len(children)} more pages under {parent.path}")
        for offset, page in enumerate(children, start=1):
            page.depth, page.numchild = depth, 0
            page.path = Page._get_path(parent.path, depth, position + offset)
            page.set_url_path(parent)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(children))
        parent.numchild += len(children)

    def _prepare(self, page: Page, now) -> None:
        """The fields Wagtail's save and publication set on a new page, published now."""
        page.content_type = ContentType.objects.get_for_model(page)
        page.draft_title = page.title
        page.live, page.has_unpublished_changes, page.expired = True, False, False
        page.first_published_at = page.first_published_at or now
        page.last_published_at = page.latest_revision_created_at = now
        if page.owner_id is None and self.user is not None:
            page.owner = self.user

    @staticmethod
    def _children(page: Page) -> dict[str, list[models.Model]]:
        """The page's inline rows and many-to-many targets, read before it has a key (from memory, no query), and
        set again so that its revision's content reads them from memory too."""
        related: dict[str, list[models.Model]] = {}
        for relation in get_all_child_relations(type(page)):
            related[relation.get_accessor_name()] = list(getattr(page, relation.get_accessor_name()).all())
        for field in get_all_child_m2m_relations(type(page)):
            related[field.name] = list(getattr(page, field.name).all())
        for name, items in related.items():
            setattr(page, name, items)
        return related

    @staticmethod
    def _write_children(pages: list[Page], children_of: dict[int, dict[str, list[models.Model]]]) -> None:
        rows: dict[type[models.Model], list[models.Model]] = {}
        for page in pages:
            model = type(page)
            related = children_of[id(page)]
            for relation in get_all_child_relations(model):
                for position, item in enumerate(related[relation.get_accessor_name()]):
                    setattr(item, relation.field.attname, page.pk)
                    if getattr(item, "sort_order_field", None) and getattr(item, item.sort_order_field) is None:
                        setattr(item, item.sort_order_field, position)
                    rows.setdefault(relation.related_model, []).append(item)
            for field in get_all_child_m2m_relations(model):
                through = field.remote_field.through
                for target in related[field.name]:
                    link = through(**{field.m2m_column_name(): page.pk, field.m2m_reverse_name(): target.pk})
                    rows.setdefault(through, []).append(link)
        for model, items in rows.items():
            model._default_manager.bulk_create(items)

    def _revision(self, page: Page, now) -> Revision:
        return Revision(
            content_type=page.content_type,
            base_content_type=page.get_base_content_type(),
            object_id=str(page.pk),
            user=self.user,
            content=page.serializable_data(),
            object_str=str(page),
            created_at=now,
        )

    def _log_entries(self, pages: Iterable[Page], revisions: Iterable[Revision], now) -> list[PageLogEntry]:
        """What `Page.save` logs for a new page ("wagtail.create") and its publication logs ("wagtail.publish")."""
        context = get_active_log_context()
        user = self.user or context.user
        entries = []
        for page, revision in zip(pages, revisions, strict=True):
            common = {
                "page_id": page.pk,
                "content_type": page.content_type,
                "label": page.get_admin_display_title(),
                "timestamp": now,
                "uuid": context.uuid,
                "content_changed": True,
                "data": {},
            }
            entries.append(PageLogEntry(action="wagtail.create", user=user or page.owner, **common))
            entries.append(PageLogEntry(action="wagtail.publish", user=user, revision=revision, **common))
        return entries


def _index_references(pages: list[Page]) -> None:
    """Write the reference index of new pages, read from the objects held (inlines and topics too), in one insert:
    what `ReferenceIndex.create_or_update_for_object` writes for a page that had no entries (it reads them first
    and reads its child rows back, several queries a page)."""
    rows = []
    base_content_type = ContentType.objects.get_for_model(Page)
    for page in pages:
        if not ReferenceIndex.model_is_indexable(type(page)):
            continue
        content_type = ContentType.objects.get_for_model(page, for_concrete_model=False)
        for to_content_type_id, to_object_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(page)
        ):
            rows.append(
                ReferenceIndex(
                    content_type=content_type,
                    base_content_type=base_content_type,
                    object_id=page.pk,
                    to_content_type_id=to_content_type_id,
                    to_object_id=to_object_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                )
            )
    ReferenceIndex.objects.bulk_create(rows)


def _insert_specific_rows(model: type[Page], pages: list[Page]) -> None:
    """Insert the rows of `model`'s own table (Django's bulk_create refuses a model with a concrete parent, so this
    is the insert its `save` runs for that table, for many rows at once)."""
    database = router.db_for_write(model)
    fields = model._meta.local_concrete_fields
    size = connections[database].ops.bulk_batch_size(fields, pages) or len(pages)
    for start in range(0, len(pages), size):
        model._base_manager._insert(pages[start : start + size], fields=fields, using=database)
    for page in pages:
        page._state.adding, page._state.db = False, database
