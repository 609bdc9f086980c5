"""Declaring, scheduling and running harvest sources: the admin's doors, the form's checks, the commands."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from wagtail.models import ModelLogEntry

from harvesters.forms import HarvestSourceForm
from harvesters.models import HarvestJob, HarvestSource
from tests.factories import RoleGrantFactory, UserFactory
from tests.staff import login_with_second_factor


@pytest.fixture
def publisher(commune, client):
    user = RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user
    login_with_second_factor(client, user)
    return user


def source_data(body, **overrides) -> dict:
    data = {
        "name": "Portail national",
        "slug": "portail-national",
        "kind": "ckan",
        "body": body.pk,
        "target": "datasets",
        "url": "https://data.gov.example/",
        "folder": "",
        "options": json.dumps({"organization": "commune-test"}),
        "mapping": "{}",
        "schedule": "0 3 * * *",
        "publish": "on",
        "withdraw_after": "3",
        "error_threshold": "0",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_source(body, **fields) -> HarvestSource:
    values = {"slug": f"source-{body.slug}", "name": "Source", "kind": "ckan", "target": "datasets"}
    values["url"] = "https://data.gov.example/"
    return HarvestSource.objects.create(body=body, **{**values, **fields})


@pytest.mark.django_db
class SourceFormTestCase:
    def test_a_valid_source_is_saved_with_its_schedule_as_a_beat_task(self, commune):
        form = HarvestSourceForm(source_data(commune))
        assert form.is_valid(), form.errors
        source = form.save()
        task = PeriodicTask.objects.get(name=f"harvest source {source.pk}")
        assert (task.task, json.loads(task.args), task.enabled) == ("harvesters.run_source", [source.pk], True)
        assert (task.crontab.minute, task.crontab.hour) == ("0", "3")

        source.active = False
        source.save()
        assert not PeriodicTask.objects.filter(name=f"harvest source {source.pk}").exists()

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"schedule": "61 * * * *"}, "schedule"),
            ({"schedule": "every day"}, "schedule"),
            ({"target": "payments"}, "target"),  # a CKAN portal does not feed payments
            ({"url": "file:///etc/passwd"}, "url"),
            ({"url": "ftp://data.gov.example/"}, "url"),
            ({"url": ""}, "url"),
            ({"url": "http://127.0.0.1:6379/"}, "url"),  # this machine's Redis
            ({"url": "http://169.254.169.254/latest/meta-data/"}, "url"),
            ({"options": "not json"}, "options"),
        ],
    )
    def test_it_refuses_what_cannot_run(self, commune, overrides, field):
        form = HarvestSourceForm(source_data(commune, **overrides))
        assert not form.is_valid()
        assert field in form.errors

    def test_it_refuses_a_second_source_harvesting_the_same_address_into_the_same_body(self, commune, other_region):
        make_source(commune, name="Première")
        form = HarvestSourceForm(source_data(commune))
        assert not form.is_valid()
        assert "Première" in form.errors["url"][0]
        assert HarvestSourceForm(source_data(other_region)).is_valid()  # another body may

    @pytest.mark.parametrize("folder", ["/etc", "../../etc", "exports/../../.."])
    def test_a_watched_folder_must_lie_inside_the_harvest_folder(self, commune, folder):
        form = HarvestSourceForm(source_data(commune, kind="table", target="payments", url="", folder=folder))
        assert not form.is_valid()
        assert "folder" in form.errors


@pytest.mark.django_db
class SourceAdminTestCase:
    def test_a_publisher_sees_and_runs_only_the_sources_of_their_bodies(self, client, publisher, commune, other_region):
        mine = make_source(commune, name="Mine")
        theirs = make_source(other_region, name="Theirs")

        listing = client.get(reverse("harvest_sources:index"))
        assert listing.status_code == 200
        assert b"Mine" in listing.content and b"Theirs" not in listing.content
        for url in (
            reverse("harvest_sources:edit", args=[theirs.pk]),
            reverse("harvesters:source_jobs", args=[theirs.pk]),
        ):
            assert client.get(url).status_code == 404
        assert client.post(reverse("harvesters:run", args=[theirs.pk])).status_code == 404
        job = HarvestJob.objects.create(source=theirs)
        assert client.get(reverse("harvesters:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("harvesters:source_jobs", args=[mine.pk])).status_code == 200

    def test_the_form_offers_and_accepts_only_the_persons_bodies(self, client, publisher, commune, other_region):
        response = client.post(reverse("harvest_sources:add"), source_data(other_region))
        assert response.status_code == 200  # the form again, with the error
        assert not HarvestSource.objects.exists()

        response = client.post(reverse("harvest_sources:add"), source_data(commune))
        assert response.status_code == 302
        source = HarvestSource.objects.get()
        assert ModelLogEntry.objects.filter(object_id=str(source.pk), action="wagtail.create").exists()

    def test_an_editor_cannot_declare_sources(self, client, commune):
        editor = RoleGrantFactory(body=commune, role="editor").user
        login_with_second_factor(client, editor)
        assert client.get(reverse("harvest_sources:add")).status_code in (302, 403)
        assert client.get(reverse("harvest_sources:index")).status_code in (302, 403)

    def test_run_now_needs_the_csrf_token(self, commune):
        source = make_source(commune)
        client = Client(enforce_csrf_checks=True)
        login_with_second_factor(client, RoleGrantFactory(body=commune, role="publisher").user)
        assert client.post(reverse("harvesters:run", args=[source.pk])).status_code == 403
        assert not HarvestJob.objects.exists()


@pytest.mark.django_db
class CommandsTestCase:
    def test_add_harvest_source_applies_the_forms_checks(self, commune):
        with pytest.raises(CommandError, match="schedule"):
            call_command(
                "add_harvest_source", "--kind", "ckan", "--url", "https://x.example/", "--body", commune.slug,
                "--slug", "x", "--schedule", "0 25 * * *",
            )  # fmt: skip
        call_command(
            "add_harvest_source", "--kind", "ckan", "--url", "https://x.example/", "--body", commune.slug,
            "--slug", "x", "--schedule", "*/30 * * * *", "--drafts", "--options", '{"q": "budget"}',
        )  # fmt: skip
        source = HarvestSource.objects.get(slug="x")
        assert (source.publish, source.options, source.target) == (False, {"q": "budget"}, "datasets")

    def test_harvest_exits_non_zero_when_the_job_failed(self, commune, local_hosts_allowed):
        make_source(commune, slug="unreachable", url="http://127.0.0.1:9/")
        with pytest.raises(CommandError):
            call_command("harvest", "unreachable")
        assert HarvestJob.objects.get().status == "failed"

    def test_an_owner_must_be_staff_of_the_sources_body(self, commune, other_region):
        citizen = UserFactory()
        form = HarvestSourceForm(source_data(commune, owner=citizen.pk))
        assert not form.is_valid()
        assert "owner" in form.errors
        neighbour = RoleGrantFactory(body=other_region, role="publisher").user
        assert "owner" in HarvestSourceForm(source_data(commune, owner=neighbour.pk)).errors
        mine = RoleGrantFactory(body=commune, role="editor").user
        assert HarvestSourceForm(source_data(commune, owner=mine.pk)).is_valid()


@pytest.mark.django_db
def test_a_jobs_report_lists_its_counts_failures_and_warnings(client, publisher, commune):
    from harvesters.models import HarvestError

    source = make_source(commune)
    job = HarvestJob.objects.create(source=source, status="finished", gathered=3, created=2, failed=1, warnings=1)
    HarvestError.objects.create(job=job, stage="fetch", remote_id="budget_2024", message="HTTP 404 <b>x</b>")
    HarvestError.objects.create(job=job, stage="import", remote_id="plan", message="a date", is_warning=True)
    response = client.get(reverse("harvesters:job", args=[job.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "budget_2024" in page and "HTTP 404 &lt;b&gt;x&lt;/b&gt;" in page  # a remote's words, escaped
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    running = HarvestJob.objects.create(source=source, status="running")
    assert 'http-equiv="refresh"' in client.get(reverse("harvesters:job", args=[running.pk])).content.decode()
