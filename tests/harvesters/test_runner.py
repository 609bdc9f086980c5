"""The runner's promises, whatever the kind: idempotent runs, resumption, withdrawal, failures kept apart."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from harvesters.models import HarvestError, HarvestJob, HarvestObject, HarvestSource
from harvesters.runner import SourceBusy, run_harvest
from portal.bodies.models import District
from portal.models import Provenance, provenance_of
from tests.factories import PublicBodyFactory, UserFactory

from .plugin_kind import DistrictsKind, make_source
from .servers import Reply


@pytest.mark.django_db
def test_a_second_run_with_nothing_changed_writes_nothing(remote):
    source = make_source(remote)
    first = run_harvest(source)
    assert (first.status, first.gathered, first.created, first.failed) == ("finished", 6, 6, 0)
    assert District.objects.filter(body=source.body).count() == 6
    assert DistrictsKind.imports == 6
    imported_at = dict(HarvestObject.objects.values_list("remote_id", "imported_at"))

    second = run_harvest(source)
    assert (second.status, second.created, second.updated, second.unchanged) == ("finished", 0, 0, 6)
    assert DistrictsKind.imports == 6  # nothing written
    assert dict(HarvestObject.objects.values_list("remote_id", "imported_at")) == imported_at


@pytest.mark.django_db
def test_a_changed_object_is_updated_and_says_where_it_came_from(remote):
    source = make_source(remote)
    run_harvest(source)
    remote.items["d2"]["name"] = "حي الأمير"
    job = run_harvest(source)
    assert (job.updated, job.unchanged, job.created) == (1, 5, 0)
    district = District.objects.get(slug="d2")
    assert district.name_ar == "حي الأمير"
    provenance = provenance_of(district)
    assert (provenance.source_name, provenance.remote_id) == ("Districts", "d2")
    assert Provenance.objects.count() == 6


@pytest.mark.django_db
def test_a_server_dying_half_way_fails_the_job_and_the_next_run_resumes_without_losing_anything(remote):
    source = make_source(remote)
    remote.die_after = 3
    job = run_harvest(source)
    assert job.status == "failed"
    assert job.message  # says what failed, in words
    assert District.objects.count() == 3  # what was imported before the failure stays

    remote.die_after = None
    resumed = run_harvest(source)
    assert (resumed.status, resumed.created, resumed.unchanged) == ("finished", 3, 3)
    assert DistrictsKind.imports == 6  # each object imported once, none twice, none lost
    assert District.objects.count() == 6


@pytest.mark.django_db
def test_an_object_that_fails_is_reported_with_its_stage_and_the_others_go_on(remote):
    source = make_source(remote)
    remote.items["d1"] = {"title": "no name"}
    remote.items["d4"] = {"name": "bad"}
    job = run_harvest(source)
    assert (job.status, job.created, job.failed) == ("finished", 4, 2)
    errors = {(error.remote_id, error.stage): error.message for error in HarvestError.objects.filter(job=job)}
    assert errors == {("d1", "fetch"): "d1 has no name", ("d4", "import"): "the name “bad” is refused"}
    # The failed ones are tried again next time, and succeed once the source is mended.
    remote.items["d1"] = {"name": "حي 1"}
    assert run_harvest(source).created == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [
        Reply("<html>Maintenance</html>", content_type="text/html"),
        Reply.json({"error": "busy"}, status=500),
        Reply.json({"not": "a list"}),
    ],
    ids=["html", "http-500", "garbage"],
)
def test_a_listing_that_fails_withdraws_nothing(remote, failure):
    source = make_source(remote, withdraw_after=1)
    run_harvest(source)
    remote.listing_failure = failure
    job = run_harvest(source)
    assert job.status == "failed"
    assert job.withdrawn == 0
    assert HarvestObject.objects.filter(state="current").count() == 6
    remote.listing_failure = None
    assert run_harvest(source).status == "finished"  # recovered


@pytest.mark.django_db
def test_an_object_gone_from_the_source_is_withdrawn_after_the_configured_runs_and_never_deleted(remote):
    source = make_source(remote, withdraw_after=2)
    run_harvest(source)
    del remote.items["d5"]
    assert run_harvest(source).withdrawn == 0
    assert HarvestObject.objects.get(remote_id="d5").missed_runs == 1
    job = run_harvest(source)
    assert job.withdrawn == 1
    assert HarvestObject.objects.get(remote_id="d5").state == "withdrawn"
    assert District.objects.get(slug="d5").name_fr == "withdrawn"  # kept, marked by the kind
    assert run_harvest(source).withdrawn == 0  # once


@pytest.mark.django_db
def test_two_sources_bringing_the_same_object_into_one_body_are_refused_the_second_time(remote):
    body = PublicBodyFactory()
    first = make_source(remote, body=body)
    run_harvest(first)
    second = make_source(remote, body=body, slug="again", name="Again")
    job = run_harvest(second)
    assert (job.created, job.failed) == (0, 6)
    assert "Districts" in HarvestError.objects.filter(job=job).first().message
    assert District.objects.count() == 6


@pytest.mark.django_db
def test_one_job_per_source_at_a_time_and_a_dead_workers_job_is_marked_failed(remote):
    source = make_source(remote)
    HarvestSource.objects.filter(pk=source.pk).update(locked_until=timezone.now() + timedelta(minutes=1))
    with pytest.raises(SourceBusy):
        run_harvest(source)

    # A worker died: its job still says "running" and its lease has expired.
    dead = HarvestJob.objects.create(source=source, status="running", started_at=timezone.now())
    HarvestSource.objects.filter(pk=source.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    job = run_harvest(source)
    assert job.status == "finished"
    dead.refresh_from_db()
    assert dead.status == "failed"
    assert "Interrupted" in dead.message
    source.refresh_from_db()
    assert source.locked_until is None


@pytest.mark.django_db
def test_the_owner_is_emailed_when_a_job_fails_or_passes_the_error_threshold(remote):
    owner = UserFactory(email="owner@baladiya.example")
    source = make_source(remote, owner=owner, error_threshold=1)
    run_harvest(source)
    assert mail.outbox == []  # a clean job: no email

    remote.items["d1"] = {"title": "no name"}
    remote.items["d2"] = {"name": "bad"}
    run_harvest(source)
    assert len(mail.outbox) == 1
    assert "d1" in mail.outbox[0].body and "/admin/harvest/jobs/" in mail.outbox[0].body

    remote.listing_failure = Reply("", status=404)
    run_harvest(source)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_an_empty_listing_while_objects_are_current_withdraws_nothing_and_says_so(remote):
    source = make_source(remote, withdraw_after=1)
    run_harvest(source)
    remote.items.clear()  # a renamed organisation, an emptied folder: a mistake, not six withdrawals
    job = run_harvest(source)
    assert (job.status, job.withdrawn, job.warnings) == ("finished", 0, 1)
    assert HarvestObject.objects.filter(state="current").count() == 6


@pytest.mark.django_db
def test_a_run_that_lost_its_lease_to_another_stops_before_importing(remote):
    source = make_source(remote)

    def another_run_takes_over(job):
        HarvestSource.objects.filter(pk=source.pk).update(lock_token="another-run")

    job = run_harvest(source, progress=another_run_takes_over)
    assert job.status == "failed"
    assert DistrictsKind.imports == 0
    assert HarvestSource.objects.get(pk=source.pk).lock_token == "another-run"  # not released: not ours
