"""portal.workflow: moves a status table allows, made by whoever may, once, each leaving its event and log entry."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from wagtail.models import ModelLogEntry

from opendata.models import Dataset
from portal.workflow import TransitionNotAllowed, history
from tests.factories import RoleGrantFactory, UserFactory
from tests.opendata.factories import DatasetFactory

Status = Dataset.Status


@pytest.mark.django_db
class DatasetMovesTestCase:
    def test_a_publisher_publishes_and_the_move_is_recorded(self, commune):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        dataset = DatasetFactory(body=commune, status=Status.DRAFT)
        dataset.publish(by=publisher, note="Validé en séance")
        assert dataset.status == Status.PUBLISHED
        assert dataset.published_at is not None
        [event] = history(dataset)
        assert (event.from_status, event.to_status, event.by, event.note) == (
            "draft",
            "published",
            publisher,
            "Validé en séance",
        )
        entry = ModelLogEntry.objects.get(object_id=str(dataset.pk), action="opendata.publish")
        assert entry.user == publisher
        assert entry.data == {"status": {"old": "draft", "new": "published"}, "note": "Validé en séance"}

    def test_an_editor_or_another_bodys_publisher_may_not(self, commune, other_region):
        dataset = DatasetFactory(body=commune, status=Status.DRAFT)
        editor = RoleGrantFactory(body=commune, role="editor").user
        stranger = RoleGrantFactory(body=other_region, role="publisher").user
        for person in (editor, stranger, UserFactory()):
            with pytest.raises(PermissionDenied):
                dataset.publish(by=person)
        assert Dataset.objects.get(pk=dataset.pk).status == Status.DRAFT
        assert not history(dataset).exists()

    def test_a_move_the_status_does_not_allow_is_refused_and_changes_nothing(self, commune):
        dataset = DatasetFactory(body=commune, status=Status.DRAFT)
        with pytest.raises(TransitionNotAllowed, match="cannot go from draft to withdrawn"):
            dataset.withdraw()
        assert Dataset.objects.get(pk=dataset.pk).status == Status.DRAFT
        assert not history(dataset).exists()

    def test_the_stored_status_decides_not_the_one_in_memory(self, commune):
        dataset = DatasetFactory(body=commune, status=Status.PUBLISHED)
        stale = Dataset.objects.get(pk=dataset.pk)
        dataset.withdraw()
        with pytest.raises(TransitionNotAllowed):
            stale.withdraw()
        assert [event.to_status for event in history(dataset)] == ["withdrawn"]

    def test_republishing_keeps_the_first_publication_date(self, commune):
        dataset = DatasetFactory(body=commune, status=Status.PUBLISHED)
        first = dataset.published_at
        dataset.withdraw()
        dataset.publish()
        assert dataset.published_at == first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_two_people_racing_one_move_only_one_makes_it(commune):
    dataset = DatasetFactory(body=commune, status=Status.PUBLISHED)
    outcomes = []
    barrier = threading.Barrier(6)

    def withdraw():
        try:
            record = Dataset.objects.get(pk=dataset.pk)
            barrier.wait()
            record.withdraw()
            outcomes.append("moved")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved"] + ["refused"] * 5
    assert [event.to_status for event in history(dataset)] == ["withdrawn"]
