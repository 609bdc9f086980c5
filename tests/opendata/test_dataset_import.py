"""import_dataset and withdraw_dataset: a harvested record through the admin's forms, written only when it changed."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from wagtail.models import ModelLogEntry

from opendata.importing import (
    DatasetRecord,
    DatasetRefused,
    ResourceRecord,
    guess_format,
    import_dataset,
    match_frequency,
    match_licence,
    place_languages,
    withdraw_dataset,
)
from opendata.models import Dataset, Licence, Resource
from portal.models import StatusEvent
from tests.factories import RoleGrantFactory
from tests.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def record(**fields) -> DatasetRecord:
    values = {
        "name": "Budget_2024",
        "title": {"fr": "Budget 2024", "ar": "ميزانية 2024"},
        "notes": {"fr": "Le budget voté."},
        "licence": "cc-by",
        "tags": ["budget", "finances"],
        "themes": ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31T00:00:00Z",
        "resources": [
            ResourceRecord(url="https://example.org/budget.csv", name={"fr": "Budget"}),
            ResourceRecord(url="https://example.org/files/annexe", media_type="application/pdf"),
        ],
    }
    values.update(fields)
    return DatasetRecord(**values)


def audit_entries(dataset) -> int:
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Dataset), object_id=str(dataset.pk)
    ).count()


class ImportDatasetTestCase:
    def test_it_creates_a_published_dataset_with_matched_values(self, commune):
        dataset, outcome = import_dataset(record(), body=commune)
        assert outcome == "created"
        assert dataset.name == "budget_2024"
        assert (dataset.title_fr, dataset.title_ar, dataset.notes_fr) == (
            "Budget 2024",
            "ميزانية 2024",
            "Le budget voté.",
        )
        assert dataset.status == Dataset.Status.PUBLISHED and dataset.published_at is not None
        assert dataset.licence.slug == "cc-by-4.0"
        assert [theme.code for theme in dataset.themes.all()] == ["ECON"]
        assert sorted(tag.name for tag in dataset.tags.all()) == ["budget", "finances"]
        assert dataset.frequency == Dataset.Frequency.ANNUAL
        assert str(dataset.temporal_start) == "2024-01-01" and str(dataset.temporal_end) == "2024-12-31"
        resources = list(dataset.resources.order_by("position"))
        assert [(r.url, r.format, r.name_fr) for r in resources] == [
            ("https://example.org/budget.csv", "CSV", "Budget"),
            ("https://example.org/files/annexe", "PDF", ""),
        ]
        assert audit_entries(dataset) >= 2  # created, published

    def test_it_writes_nothing_the_second_time(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        modified, entries = dataset.modified_at, audit_entries(dataset)
        resource_dates = list(dataset.resources.values_list("modified_at", flat=True))

        again, outcome = import_dataset(record(), body=commune, dataset=dataset)

        assert outcome == "unchanged"
        again.refresh_from_db()
        assert again.modified_at == modified
        assert audit_entries(again) == entries
        assert list(again.resources.values_list("modified_at", flat=True)) == resource_dates

    def test_it_updates_what_changed_and_keeps_the_rest(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        first = dataset.resources.get(url="https://example.org/budget.csv")
        changed = record(
            title={"fr": "Budget 2024 (voté)"},
            resources=[
                ResourceRecord(url="https://example.org/budget.csv", name={"fr": "Budget"}),
                ResourceRecord(url="https://example.org/budget.xlsx"),
            ],
        )

        dataset, outcome = import_dataset(changed, body=commune, dataset=dataset)

        assert outcome == "updated"
        assert dataset.title_fr == "Budget 2024 (voté)" and dataset.title_ar == ""
        assert dataset.name == "budget_2024"  # an existing dataset keeps its address
        assert [(r.url, r.format) for r in dataset.resources.order_by("position")] == [
            ("https://example.org/budget.csv", "CSV"),
            ("https://example.org/budget.xlsx", "XLSX"),
        ]
        assert dataset.resources.get(url="https://example.org/budget.csv").pk == first.pk

    def test_it_changes_a_resource_alone(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        resources = [ResourceRecord(url="https://example.org/budget.csv", name={"fr": "Budget voté"})]
        dataset, outcome = import_dataset(record(resources=resources), body=commune, dataset=dataset)
        assert outcome == "updated"
        assert list(dataset.resources.values_list("name_fr", flat=True)) == ["Budget voté"]

    def test_it_gives_a_free_address(self, commune):
        DatasetFactory(name="budget_2024")
        DatasetFactory(name="budget_2024-2")
        dataset, _outcome = import_dataset(record(), body=commune)
        assert dataset.name == "budget_2024-3"

    def test_it_an_arabic_name_takes_the_latin_title_or_dataset(self, commune):
        first, _outcome = import_dataset(record(name="ميزانية", title={"ar": "ميزانية", "en": "Budget"}), body=commune)
        second, _outcome = import_dataset(record(name="ميزانية", title={"ar": "ميزانية"}), body=commune)
        assert (first.name, second.name) == ("budget", "dataset")

    def test_it_a_title_of_unknown_language_goes_where_its_letters_say(self, commune):
        assert place_languages({"": "ميزانية"})["ar"] == "ميزانية"
        assert place_languages({"": "Budget"}) == {"ar": "", "fr": "Budget", "en": ""}
        assert place_languages({"fr": "Budget", "": "Budget 2"})["en"] == "Budget 2"
        dataset, _outcome = import_dataset(record(title={"": "Budget"}), body=commune)
        assert dataset.title_fr == "Budget"

    def test_it_without_title_the_name_is_the_title(self, commune):
        dataset, _outcome = import_dataset(record(title={}), body=commune)
        assert dataset.title_fr == "Budget_2024"

    def test_it_drafts_when_asked(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune, publish=False)
        assert dataset.status == Dataset.Status.DRAFT

    def test_it_an_existing_dataset_keeps_its_status(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune, publish=False)
        dataset, outcome = import_dataset(record(version="2"), body=commune, dataset=dataset)
        assert outcome == "updated" and dataset.status == Dataset.Status.DRAFT

    def test_it_bad_values_are_reported_and_left_out(self, commune):
        bad = record(
            temporal_start="2023-13-45",
            temporal_end="someday",
            frequency="every blue moon",
            themes=["ECON", "nonsense"],
            licence="my own licence",
            contact_email="not an address",
        )
        dataset, outcome = import_dataset(bad, body=commune)
        assert outcome == "created"
        assert dataset.temporal_start is None and dataset.temporal_end is None
        assert dataset.frequency == Dataset.Frequency.UNKNOWN
        assert dataset.licence.slug == "notspecified"
        assert dataset.contact_email == ""
        assert [theme.code for theme in dataset.themes.all()] == ["ECON"]
        problems = " ".join(bad.problems)
        for text in ("2023-13-45", "someday", "every blue moon", "nonsense", "my own licence", "not an address"):
            assert text in problems

    def test_it_a_bad_resource_is_left_out(self, commune):
        bad = record(resources=[ResourceRecord(url="not a link"), ResourceRecord(url="https://example.org/a.csv")])
        with translation.override("en"):
            dataset, _outcome = import_dataset(bad, body=commune)
        assert list(dataset.resources.values_list("url", flat=True)) == ["https://example.org/a.csv"]
        assert any("not a link" not in p and "resource" in p for p in bad.problems)

    def test_it_an_unknown_licence_without_not_specified_refuses(self, commune):
        Licence.objects.filter(slug="notspecified").delete()
        with pytest.raises(DatasetRefused, match="my own licence"):
            import_dataset(record(licence="my own licence"), body=commune)
        assert not Dataset.objects.exists()

    def test_it_removed_resources_go(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        dataset, outcome = import_dataset(record(resources=[]), body=commune, dataset=dataset)
        assert outcome == "updated" and not Resource.objects.filter(dataset=dataset).exists()

    def test_it_the_move_names_a_publisher_who_started_it(self, commune):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        dataset, _outcome = import_dataset(record(), body=commune, user=publisher)
        assert StatusEvent.objects.get(object_id=str(dataset.pk)).by == publisher


class WithdrawDatasetTestCase:
    def test_it_withdraws_a_published_dataset_and_a_later_harvest_publishes_it(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        withdraw_dataset(dataset)
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.WITHDRAWN
        dataset, outcome = import_dataset(record(), body=commune, dataset=dataset, republish=True)
        assert outcome == "updated" and dataset.status == Dataset.Status.PUBLISHED

    def test_a_dataset_staff_withdrew_stays_withdrawn_when_its_source_changes(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune)
        dataset.set_status(Dataset.Status.WITHDRAWN, by=None, note="personal data in it")
        changed = record()
        changed.notes = {"fr": "Une autre description."}
        dataset, outcome = import_dataset(changed, body=commune, dataset=dataset)
        assert outcome == "updated"
        assert dataset.status == Dataset.Status.WITHDRAWN

    def test_it_a_draft_stays_and_nothing_is_deleted(self, commune):
        dataset, _outcome = import_dataset(record(), body=commune, publish=False)
        withdraw_dataset(dataset)
        assert Dataset.objects.get(pk=dataset.pk).status == Dataset.Status.DRAFT


class MatchingTestCase:
    @pytest.mark.parametrize(
        "value,slug",
        [
            ("cc-by", "cc-by-4.0"),
            ("CC-BY-4.0", "cc-by-4.0"),
            ("https://creativecommons.org/licenses/by/4.0/", "cc-by-4.0"),
            ("http://www.creativecommons.org/licenses/by/4.0", "cc-by-4.0"),
            ("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", "cc-by-4.0"),
            ("odc-odbl", "odc-odbl"),
            ("Licence Ouverte 2.0 (Etalab)", "etalab-2.0"),
            ("fr-lo", "etalab-2.0"),
            ("cc-zero", "cc-zero"),
            ("notspecified", "notspecified"),
        ],
    )
    def test_it_licences(self, value, slug):
        licence = match_licence(value)
        assert licence is not None and licence.slug == slug

    def test_it_unknown_licence(self):
        assert match_licence("proprietary-xyz") is None

    @pytest.mark.parametrize(
        "value,frequency",
        [
            ("ANNUAL", "ANNUAL"),
            ("monthly", "MONTHLY"),
            ("http://publications.europa.eu/resource/authority/frequency/IRREG", "IRREG"),
            ("http://purl.org/cld/freq/weekly", "WEEKLY"),
            ("R/P1Y", "ANNUAL"),
            ("", ""),
            ("sometimes", None),
        ],
    )
    def test_it_frequencies(self, value, frequency):
        assert match_frequency(value) == frequency

    @pytest.mark.parametrize(
        "resource,format",
        [
            (ResourceRecord(url="https://e.org/a.csv"), "CSV"),
            (ResourceRecord(url="https://e.org/a", media_type="text/csv; charset=utf-8"), "CSV"),
            (ResourceRecord(url="https://e.org/a", format=".xlsx"), "XLSX"),
            (
                ResourceRecord(
                    url="https://e.org/a", format="http://publications.europa.eu/resource/authority/file-type/JSON"
                ),
                "JSON",
            ),
            (ResourceRecord(url="https://e.org/page"), ""),
        ],
    )
    def test_it_formats(self, resource, format):
        assert guess_format(resource) == format
