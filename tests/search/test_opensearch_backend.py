"""The search on a real OpenSearch server: osmem-server, through modelsearch's opensearch3 backend.

What osmem cannot check: the analysers themselves. It accepts the index settings of portal/settings/base.py
but ignores `arabic_normalization` (with a warning), so Arabic folding is checked where it happens, in
Python (tests/portal/test_analysis.py), and on the database backend by the pages that search
(tests/cms/test_decision_listing.py, the catalogue's tests in tests/opendata).
"""

import os

import pytest
from django.core.management import call_command

from portal.models import SearchEntry
from search import indexing, services
from search.services import SearchQuery
from tests.cms.builders import decision, session, translate
from tests.opendata.factories import DatasetFactory


def update_index() -> None:
    with open(os.devnull, "w") as devnull:
        call_command("update_index", stdout=devnull, stderr=devnull)


@pytest.fixture
def records(opensearch, council_page, region):
    """Two Arabic decisions of the commune (one in French too) and a dataset of the region, indexed."""
    sitting = session(council_page)
    budget = decision(sitting, reference="2025/001", title="ميزانية البلدية", summary="المصادقة على الميزانية الأولية")
    budget_fr = translate(budget, "fr", title="Budget de la commune", summary="Adoption du budget primitif")
    lighting = decision(sitting, reference="2025/002", title="الإنارة العمومية", summary="تمويل من الميزانية")
    dataset = DatasetFactory(
        body=region, name="budget-region", title_ar="ميزانية الولاية", title_fr="Budget de la wilaya"
    )
    indexing.refresh_entries()
    update_index()
    return {"budget": budget, "budget_fr": budget_fr, "lighting": lighting, "dataset": dataset}


def entry(kind: str, record, language: str = "ar") -> SearchEntry:
    return SearchEntry.objects.get(kind=kind, record_id=str(record.pk), language=language)


def alias_targets(backend) -> list[str]:
    return list(backend.es.indices.get_alias(name=backend.get_index_for_model(SearchEntry).name))


class OpenSearchBackendTestCase:
    def test_it_creates_the_index_with_the_portals_settings_and_mapping(self, opensearch, records):
        (index,) = alias_targets(opensearch)
        analysis = opensearch.es.indices.get_settings(index=index)[index]["settings"]["index"]["analysis"]
        assert analysis["analyzer"]["default"]["filter"] == ["lowercase", "asciifolding", "arabic_normalization"]
        assert "edgengram_analyzer" in analysis["analyzer"]  # modelsearch's own, for the suggestions
        properties = opensearch.es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
        assert properties["kind_filter"]["type"] == "keyword"
        assert properties["title_terms_edgengrams"]["analyzer"] == "edgengram_analyzer"
        assert properties["title_terms"]["type"] == "text"

    def test_it_ranks_words_in_the_title_first(self, records):
        outcome = services.search(SearchQuery(q="الميزانية"))
        found = [hit.entry for hit in outcome.hits]
        assert outcome.count == 3
        assert set(found[:2]) == {entry("decision", records["budget"]), entry("dataset", records["dataset"])}
        assert found[2] == entry("decision", records["lighting"])  # only in its summary

    def test_it_filters_by_kind_language_and_body(self, records):
        by_kind = services.search(SearchQuery(q="ميزانية", kind="dataset"))
        assert [hit.entry for hit in by_kind.hits] == [entry("dataset", records["dataset"])]
        by_language = services.search(SearchQuery(q="budget", language="fr"))
        assert {hit.entry for hit in by_language.hits} == {
            entry("decision", records["budget_fr"], "fr"),
            entry("dataset", records["dataset"], "fr"),
        }
        by_body = services.search(SearchQuery(q="ميزانية", body="commune-test"))
        assert {hit.entry.kind for hit in by_body.hits} == {"decision"}
        assert by_body.count == 2

    def test_it_counts_facets(self, records, commune, region):
        facets = services.search(SearchQuery(q="ميزانية")).facets
        assert {value.value: value.count for value in facets["kind"]} == {"decision": 2, "dataset": 1}
        assert {value.value: value.count for value in facets["body"]} == {commune.slug: 2, region.slug: 1}
        assert {value.value: value.count for value in facets["language"]} == {"ar": 3}

    def test_it_suggests_titles_from_their_first_letters(self, records):
        assert {found.title for found in services.suggest("budg")} == {"Budget de la commune", "Budget de la wilaya"}
        assert "ميزانية البلدية" in [found.title for found in services.suggest("ميزا")]

    def test_it_answers_the_search_page(self, client, records):
        response = client.get("/fr/search/", {"q": "budget commune"})
        assert response.status_code == 200
        assert response.context["outcome"].count == 1
        assert "<mark>Budget</mark> de la <mark>commune</mark>" in response.content.decode()

    def test_it_rebuilds_into_a_new_index_then_swaps_the_alias(self, opensearch, records):
        (before,) = alias_targets(opensearch)
        update_index()
        (after,) = alias_targets(opensearch)
        assert after != before
        assert not opensearch.es.indices.exists(index=before)
        assert services.search(SearchQuery(q="ميزانية")).count == 3

    def test_it_forgets_a_removed_record(self, opensearch, records):
        indexing.remove_record("decision", str(records["budget"].pk))
        opensearch.get_index_for_model(SearchEntry).refresh()
        found = [hit.entry for hit in services.search(SearchQuery(q="ميزانية")).hits]
        assert found == [entry("dataset", records["dataset"]), entry("decision", records["lighting"])]
        # Its French translation is a page of its own, still public.
        assert services.search(SearchQuery(q="budget commune")).count == 1

    def test_it_sorts_by_date(self, records):
        # The decisions are of their session's day; the dataset's date is its last change, today.
        newest_first = [hit.entry for hit in services.search(SearchQuery(q="الميزانية", sort="-date")).hits]
        assert newest_first[0] == entry("dataset", records["dataset"])
        oldest_first = [hit.entry for hit in services.search(SearchQuery(q="الميزانية", sort="date")).hits]
        assert oldest_first[-1] == entry("dataset", records["dataset"])

    def test_it_reports_the_server_in_healthz(self, client, opensearch, db):
        search = client.get("/healthz").json()["checks"]["search"]
        assert (search["ok"], search["detail"]) == (True, "opensearch3")
