"""The CKAN kind against a fake CKAN 2.10 served on 127.0.0.1: gather, fetch, import, withdraw, and its failures."""

import pytest

from harvesters.kinds import KINDS
from harvesters.kinds.base import NetworkFailure, ObjectFailure, SourceFailure
from harvesters.kinds.ckan import normalise_time, package_to_record
from harvesters.models import HarvestObject, HarvestSource
from opendata.models import Dataset

from .ckan_fixture import CkanFixture, Failure, make_multilingual, package, synthetic_packages
from .servers import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind():
    return KINDS["ckan"]


def make_source(body, url: str, **fields) -> HarvestSource:
    values = {"slug": "ckan-neighbour", "name": "Neighbour CKAN", "kind": "ckan", "url": url, "body": body}
    values["target"] = "datasets"
    values.update(fields)
    return HarvestSource.objects.create(**values)


def import_all(kind, source, gathered) -> list[str]:
    """What the runner does with each gathered object, without it: fetch when needed, import."""
    outcomes = []
    for item in gathered:
        obj, _created = HarvestObject.objects.get_or_create(
            source=source, remote_id=item.remote_id, defaults={"guid": item.guid}
        )
        content = item.content if item.content is not None else kind.fetch(source, item)
        imported = kind.import_object(source, obj, content)
        obj.record = imported.record
        obj.save()
        outcomes.append(imported.outcome)
    return outcomes


class GatherTestCase:
    def test_it_lists_every_package_in_pages_with_its_content(self, serve, commune, kind):
        fixture = CkanFixture(synthetic_packages(2500))
        server = serve(fixture)
        source = make_source(commune, server.url)

        gathered = list(kind.gather(source, ""))

        assert len(gathered) == 2500
        assert len({item.remote_id for item in gathered}) == 2500
        searches = [params for action, params in fixture.calls if action == "package_search"]
        assert [params["start"] for params in searches] == [0, 1000, 2000]
        assert all(params["rows"] == 1000 for params in searches)
        first = next(item for item in gathered if item.remote_id.endswith("000000000001"))
        assert first.guid == f"{server.url}/dataset/{first.remote_id}"
        assert first.remote_url == f"{server.url}/dataset/dataset_1"
        assert first.modified == "2024-01-01T08:01:00.123"
        assert first.content["name"] == "dataset_1"

    def test_it_filters_by_organisation_group_and_query(self, serve, commune, kind):
        packages = [package(1, organization="a"), package(2, organization="b"), package(3, organization="a")]
        packages[2]["groups"] = []
        server = serve(CkanFixture(packages))
        source = make_source(commune, server.url, options={"organization": "a", "group": "economy"})
        assert [item.content["name"] for item in kind.gather(source, "")] == ["dataset_1"]
        source.options = {"q": "Jeu 2"}
        assert [item.content["name"] for item in kind.gather(source, "")] == ["dataset_2"]

    def test_since_lists_all_ids_but_asks_whole_dicts_only_of_the_changed(self, serve, commune, kind):
        fixture = CkanFixture(synthetic_packages(30))
        server = serve(fixture)
        source = make_source(commune, server.url)

        gathered = list(kind.gather(source, "2024-01-01T08:20:00.123"))

        assert len(gathered) == 30
        with_content = sorted(int(item.content["name"].split("_")[1]) for item in gathered if item.content)
        assert with_content == list(range(20, 31))
        assert all(item.modified for item in gathered)
        fl = [params for action, params in fixture.calls if action == "package_search" and "fl" in params]
        assert fl and fl[0]["fl"] == ["id", "name", "metadata_modified"]
        incremental = [params["fq"] for action, params in fixture.calls if "metadata_modified" in params.get("fq", "")]
        assert incremental == ["metadata_modified:[2024-01-01T08:20:00.123Z TO *]"]

    def test_a_ckan_ignoring_fl_gives_whole_dicts_which_are_used(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(5), supports_fl=False))
        gathered = list(kind.gather(make_source(commune, server.url), "2024-01-01T08:03:00"))
        assert all(item.content and item.content["resources"] for item in gathered)

    @pytest.mark.parametrize(
        "failure,error,words",
        [
            (Failure.SUCCESS_FALSE, SourceFailure, "success: false"),
            (Failure.HTML, SourceFailure, "web page"),
            (Failure.SERVER_ERROR, NetworkFailure, "500"),
        ],
    )
    def test_a_failing_listing_fails_the_source_in_plain_words(self, serve, commune, kind, failure, error, words):
        server = serve(CkanFixture(synthetic_packages(3), failure=failure))
        with pytest.raises(error) as raised:
            list(kind.gather(make_source(commune, server.url), ""))
        assert words in str(raised.value)

    def test_a_search_error_and_a_site_that_is_not_ckan(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(3)))
        with pytest.raises(SourceFailure, match="refused"):
            list(kind.gather(make_source(commune, server.url, options={"fq": "nonsense:1"}), ""))
        other = serve({})
        with pytest.raises(SourceFailure, match="not its JSON"):
            list(kind.gather(make_source(commune, other.url, slug="other"), ""))

    def test_a_private_address_is_refused(self, commune, kind, settings):
        settings.HARVEST_ALLOWED_HOSTS = []
        with pytest.raises(SourceFailure):
            list(kind.gather(make_source(commune, "http://127.0.0.1:9/"), ""))


class FetchAndImportTestCase:
    def test_it_imports_creates_then_finds_nothing_changed(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(3)))
        source = make_source(commune, server.url)

        assert import_all(kind, source, list(kind.gather(source, ""))) == ["created"] * 3
        dataset = Dataset.objects.get(name="dataset_1")
        assert dataset.title_fr == "Jeu de données 1" and dataset.status == Dataset.Status.PUBLISHED
        assert dataset.licence.slug == "cc-by-4.0" and dataset.frequency == "ANNUAL"
        assert [theme.slug for theme in dataset.themes.all()] == ["economy"]
        assert list(dataset.resources.values_list("format", "url")) == [("CSV", "https://files.example.org/1.csv")]

        assert import_all(kind, source, list(kind.gather(source, ""))) == ["unchanged"] * 3

    def test_fetch_reads_package_show_and_a_missing_one_fails_alone(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(2)))
        source = make_source(commune, server.url)
        gathered = list(kind.gather(source, "2030-01-01T00:00:00"))
        assert all(item.content is None for item in gathered)
        assert kind.fetch(source, gathered[0])["id"] == gathered[0].remote_id
        missing = type(gathered[0])(remote_id="nope", guid="x")
        with pytest.raises(ObjectFailure, match="found nothing"):
            kind.fetch(source, missing)

    def test_drafts_when_the_source_says(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(1)))
        source = make_source(commune, server.url, publish=False)
        import_all(kind, source, list(kind.gather(source, "")))
        assert Dataset.objects.get().status == Dataset.Status.DRAFT

    def test_the_multilingual_portal(self, serve, commune, kind):
        server = serve(CkanFixture([make_multilingual(package(7))]))
        source = make_source(commune, server.url)
        import_all(kind, source, list(kind.gather(source, "")))
        dataset = Dataset.objects.get()
        assert (dataset.title_ar, dataset.title_fr) == ("مجموعة بيانات 7", "Jeu de données 7")
        assert dataset.resources.get().name_ar == "بيانات 7"

    def test_withdraw_takes_it_off_the_public_pages(self, serve, commune, kind):
        server = serve(CkanFixture(synthetic_packages(1)))
        source = make_source(commune, server.url)
        import_all(kind, source, list(kind.gather(source, "")))
        kind.withdraw(source, HarvestObject.objects.get())
        assert Dataset.objects.get().status == Dataset.Status.WITHDRAWN

    def test_import_refuses_what_is_not_a_package(self, commune, kind):
        source = make_source(commune, "http://ckan.example")
        obj = HarvestObject.objects.create(source=source, remote_id="x", guid="x")
        with pytest.raises(ObjectFailure):
            kind.import_object(source, obj, ["not", "a", "dict"])


class PackageToRecordTestCase:
    def test_it_tolerates_ckans_quirks(self):
        item = package(
            1,
            name="Budget_Communal",
            title={"fr": "Budget", "ar-MA": "ميزانية"},
            notes_translated={"fr": "Le budget", "en": ""},
            license_id="",
            license_url="https://creativecommons.org/licenses/by-sa/4.0/",
            tags={"fr": ["budget"], "ar": ["ميزانية"]},
            extras={
                "temporal_start": "2023-13-45",
                "spatial": '{"type": "Point"}',
                "theme": '["http://publications.europa.eu/resource/authority/data-theme/GOVE"]',
            },
            resources=[{"url": "https://e.org/x.xlsx", "name": "", "format": None}, {"name": "no address"}],
        )
        record = package_to_record(item)
        assert record.name == "Budget_Communal"
        assert record.title == {"fr": "Budget", "ar": "ميزانية"}
        assert record.notes == {"fr": "Le budget"}
        assert record.licence == "https://creativecommons.org/licenses/by-sa/4.0/"
        assert record.tags == ["budget", "ميزانية"]
        assert "http://publications.europa.eu/resource/authority/data-theme/GOVE" in record.themes
        assert record.temporal_start == "2023-13-45" and record.spatial == ""
        assert [resource.url for resource in record.resources] == ["https://e.org/x.xlsx"]
        assert any("no address" in problem for problem in record.problems)

    def test_a_plain_title_is_of_unknown_language_and_extras_as_lists(self):
        record = package_to_record(package(2, extras=[{"key": "temporal_end", "value": "2024-12-31"}]))
        assert record.title == {"": "Jeu de données 2"}
        assert record.temporal_end == "2024-12-31"

    @pytest.mark.parametrize(
        "value,expected",
        [
            ("2024-03-01T10:00:00.123456", "2024-03-01T10:00:00.123"),
            ("2024-03-01T10:00:00", "2024-03-01T10:00:00.000"),
            ("2024-03-01T10:00:00.123Z", "2024-03-01T10:00:00.123"),
            ("2024-03-01T12:00:00+02:00", "2024-03-01T10:00:00.000"),
            ("not a time", ""),
            (None, ""),
        ],
    )
    def test_timestamps(self, value, expected):
        assert normalise_time(value) == expected


class RunHarvestTestCase:
    """The kind through the runner, as a schedule runs it."""

    def test_it_harvests_then_writes_nothing_then_follows_changes_and_withdrawals(self, serve, commune):
        from harvesters.runner import run_harvest
        from portal.models import Provenance

        fixture = CkanFixture(synthetic_packages(5))
        server = serve(fixture)
        source = make_source(commune, server.url, withdraw_after=1)

        job = run_harvest(source)
        assert (job.status, job.created, job.failed) == ("finished", 5, 0), job.message
        provenance = Provenance.objects.get(object_id=str(Dataset.objects.get(name="dataset_2").pk))
        assert provenance.remote_url == f"{server.url}/dataset/dataset_2"
        modified = dict(Dataset.objects.values_list("name", "modified_at"))

        fixture.calls.clear()
        job = run_harvest(source)
        assert (job.status, job.unchanged, job.created, job.updated, job.fetched) == ("finished", 5, 0, 0, 0)
        assert "package_show" not in {action for action, _params in fixture.calls}
        assert dict(Dataset.objects.values_list("name", "modified_at")) == modified
        # Incremental: every id listed cheaply, whole dicts only from the newest marker on.
        assert any("metadata_modified:[" in params.get("fq", "") for _action, params in fixture.calls)

        fixture.packages[0]["title"] = "Jeu de données 1, corrigé"
        fixture.packages[0]["metadata_modified"] = "2024-02-01T00:00:00.000000"
        del fixture.packages[4]
        job = run_harvest(source)
        assert (job.updated, job.unchanged, job.withdrawn) == (1, 3, 1)
        assert Dataset.objects.get(name="dataset_1").title_fr == "Jeu de données 1, corrigé"
        assert Dataset.objects.get(name="dataset_5").status == Dataset.Status.WITHDRAWN

    def test_a_failing_source_leaves_what_is_published(self, serve, commune):
        from harvesters.runner import run_harvest

        fixture = CkanFixture(synthetic_packages(2))
        source = make_source(commune, serve(fixture).url)
        run_harvest(source)
        fixture.failure = Failure.HTML
        job = run_harvest(source)
        assert job.status == "failed" and "web page" in job.message
        assert Dataset.objects.filter(status=Dataset.Status.PUBLISHED).count() == 2


class DatastoreOptionTestCase:
    """`datastore: true`: the CSV, XLSX and JSON files are fetched into the portal, through the one ingest."""

    def fixture_with_files(self, serve, csv: bytes):
        routes = {"/files/budget.csv": csv, "/files/notice.pdf": b"%PDF-1.4"}

        def app(request):
            if request.path in routes:
                return Reply(routes[request.path], content_type="text/csv")
            return fixture(request)

        fixture = CkanFixture([package(1)])
        server = serve(app)
        fixture.packages[0]["resources"] = [
            {"url": f"{server.url}/files/budget.csv", "name": "Budget", "format": "csv"},
            {"url": f"{server.url}/files/notice.pdf", "name": "Notice", "format": "PDF"},
        ]
        return fixture, server

    def test_it_stores_the_tables_files_once(self, serve, commune, kind, django_capture_on_commit_callbacks):
        fixture, server = self.fixture_with_files(serve, b"quartier,montant\nCentre,12\n")
        source = make_source(commune, server.url, options={"datastore": True})
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            import_all(kind, source, list(kind.gather(source, "")))
        dataset = Dataset.objects.get()
        table = dataset.resources.get(format="CSV")
        version = table.versions.get()
        assert version.file.read() == b"quartier,montant\nCentre,12\n"
        assert table.url == f"{server.url}/files/budget.csv"  # still the link people follow
        assert not dataset.resources.get(format="PDF").versions.exists()
        assert callbacks  # the ingest, queued once the transaction commits, loads the rows into the DataStore
        table.refresh_from_db()
        assert table.datastore_active and table.datastore_rows == 1

        fixture.packages[0]["title"] = "Changed"
        fixture.packages[0]["resources"][0]["name"] = "Budget voté"
        assert import_all(kind, source, list(kind.gather(source, ""))) == ["updated"]
        table.refresh_from_db()
        assert (table.versions.count(), dataset.resources.count()) == (1, 2)
        assert table.url == f"{server.url}/files/budget.csv" and "Budget voté" in (table.name_ar, table.name_fr)

    def test_a_file_too_large_is_reported_and_the_dataset_kept(self, serve, commune, kind, settings):
        settings.HARVEST_MAX_BYTES = 20_000
        fixture, server = self.fixture_with_files(serve, b"a,b\n" + b"1,2\n" * 10_000)
        source = make_source(commune, server.url, options={"datastore": True})
        gathered = list(kind.gather(source, ""))
        obj = HarvestObject.objects.create(source=source, remote_id=gathered[0].remote_id, guid=gathered[0].guid)
        imported = kind.import_object(source, obj, gathered[0].content)
        assert imported.outcome == "created"
        assert "budget.csv" in imported.warnings[0]
        assert not Dataset.objects.get().resources.filter(versions__isnull=False).exists()

    def test_the_option_is_checked(self, commune, kind):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            kind.check(make_source(commune, "http://ckan.example", options={"datastore": "yes"}))
        with pytest.raises(ValidationError):
            kind.check(make_source(commune, "http://ckan.example", slug="b", options={"organisation": "typo"}))
        with pytest.raises(ValidationError):
            kind.check(make_source(commune, "ftp://ckan.example/", slug="d"))
        kind.check(make_source(commune, "http://ckan.example", slug="c", options={"organization": "a", "q": "x"}))
