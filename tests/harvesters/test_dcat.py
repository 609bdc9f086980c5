"""The DCAT kind: catalogues in three syntaxes, Hydra paging, DCAT-AP terms, malformed and hostile files."""

import datetime
import itertools
import json
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rdflib import Graph, Literal, URIRef

from harvesters.kinds import KINDS
from harvesters.kinds.base import Gathered, ObjectFailure, SourceFailure
from harvesters.kinds.dcat import FREQUENCIES, choose_syntax, dataset_to_record, remote_id_of
from harvesters.models import HarvestSource
from harvesters.runner import run_harvest
from opendata import dcat
from opendata.importing import DatasetRecord, ResourceRecord
from opendata.models import Dataset
from tests.opendata.factories import DatasetFactory, ResourceFactory

from .servers import FixtureServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "dcat"
KIND = KINDS["dcat"]
DATA = "http://data.example.org"
CONTENT_TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}
BUDGET = f"{DATA}/dataset/budget-2023"
MARCHES = f"{DATA}/dataset/marches-publics"
DCAT_LANDING_PAGE = URIRef("http://www.w3.org/ns/dcat#landingPage")
DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"
DCT_TITLE = URIRef("http://purl.org/dc/terms/title")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def source_at(url: str, **options) -> HarvestSource:
    return HarvestSource(slug="dcat", name="DCAT", kind="dcat", url=url, target="datasets", options=options)


def gather(url: str, **options) -> dict:
    gathered = list(KIND.gather(source_at(url, **options), ""))
    assert len({item.remote_id for item in gathered}) == len(gathered), "a dataset gathered twice"
    return {item.remote_id: item for item in gathered}


def failure(url: str, **options) -> str:
    with pytest.raises(SourceFailure) as caught:
        gather(url, **options)
    return str(caught.value)


def fixture_files(request) -> Reply:
    """`/<name>` serves fixture `name` with its syntax's type; `?file=<name>&type=<type>` at any path, with `type`."""
    name = request.param("file") or request.path.lstrip("/")
    if not name or not (FIXTURES / name).is_file():
        return Reply(b"not found", status=404, content_type="text/plain")
    return Reply(fixture(name), content_type=request.param("type") or CONTENT_TYPES[name.rsplit(".", 1)[-1]])


@pytest.fixture(scope="module")
def fixtures_server():
    """One server for the fixture files of the whole module (each server takes half a second to stop)."""
    with FixtureServer(fixture_files) as server:
        yield server


@pytest.fixture
def served(fixtures_server, local_hosts_allowed):
    """The address of a fixture file: `served(name)`, or `served(name, content_type, path)` to serve it otherwise."""

    def address(name: str, content_type: str = "", path: str = "") -> str:
        if not content_type and not path:
            return f"{fixtures_server.url}/{name}"
        return f"{fixtures_server.url}{path or '/' + name}?{urlencode({'file': name, 'type': content_type})}"

    return address


BUDGET_RECORD = DatasetRecord(
    name="budget-2023",
    title={"ar": "ميزانية البلدية 2023", "fr": "Budget de la commune 2023", "en": "Town budget 2023"},
    notes={"ar": "الميزانية المفصلة", "fr": "Le budget détaillé, poste par poste."},
    licence="http://creativecommons.org/licenses/by/4.0/",
    tags=["budget", "ميزانية"],
    themes=["ECON", "GOVE"],
    frequency="ANNUAL",
    temporal_start="2023-01-01",
    temporal_end="2023-12-31",
    spatial="تونس",
    version="2.1",
    contact_email="finances@data.example.org",
    resources=[
        ResourceRecord(
            url=f"{DATA}/files/budget-2023-tableur",
            name={"fr": "Budget (Excel)"},
            format="XLSX",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ResourceRecord(
            url=f"{DATA}/files/budget-2023.csv",
            name={"ar": "الميزانية (CSV)", "fr": "Budget (CSV)"},
            format="CSV",
        ),
    ],
)


class CatalogueSyntaxesTestCase:
    @pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
    def test_it_reads_the_catalogue_in_each_syntax(self, served, suffix):
        gathered = gather(served(f"catalog.{suffix}"))
        assert set(gathered) - {key for key in gathered if key.startswith("sha256:")} == {BUDGET, MARCHES, "roads-42"}
        assert len(gathered) == 4
        budget = gathered[BUDGET]
        assert budget.guid == BUDGET
        assert budget.remote_url == f"{DATA}/pages/budget-2023"
        assert budget.modified == "2024-03-01T10:00:00+00:00"
        assert budget.content == asdict(BUDGET_RECORD)

    def test_it_reads_the_same_records_whatever_the_syntax(self, served):
        contents = [
            {key: item.content for key, item in gather(served(f"catalog.{suffix}")).items()}
            for suffix in ("ttl", "rdf", "jsonld")
        ]
        assert contents[0] == contents[1] == contents[2]

    @pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
    def test_it_chooses_the_parser_by_extension_when_the_type_says_nothing(self, served, suffix):
        url = served(f"catalog.{suffix}", content_type="application/octet-stream")
        assert BUDGET in gather(url)

    @pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
    def test_it_sniffs_the_syntax_without_type_or_extension(self, served, suffix):
        url = served(f"catalog.{suffix}", content_type="text/plain", path="/catalogue")
        assert BUDGET in gather(url)

    def test_it_trusts_the_content_type_before_the_extension(self):
        assert choose_syntax("text/turtle; charset=utf-8", "http://x/catalog.rdf", b"<rdf:RDF>") == "turtle"
        assert choose_syntax("application/octet-stream", "http://x/catalog.rdf", b"@prefix") == "xml"
        assert choose_syntax("", "http://x/catalog", b"\xef\xbb\xbf  <?xml version='1.0'?>") == "xml"
        assert choose_syntax("", "http://x/catalog", b"<http://x/d> a <http://x/D> .") == "turtle"
        assert choose_syntax("", "http://x/catalog", b'  {"@graph": []}') == "json-ld"

    def test_it_reads_a_remote_json_ld_context_through_the_guarded_client(self, serve):
        context = {
            "@context": {"dcat": "http://www.w3.org/ns/dcat#", "title": {"@id": "http://purl.org/dc/terms/title"}}
        }
        document = {
            "@context": "/context.jsonld",
            "@id": f"{DATA}/dataset/ctx",
            "@type": "dcat:Dataset",
            "title": {"@value": "Contexte", "@language": "fr"},
        }
        server = serve(
            {
                "/catalog": Reply(json.dumps(document), content_type="application/ld+json"),
                "/context.jsonld": Reply(json.dumps(context), content_type="application/ld+json"),
            }
        )
        gathered = gather(f"{server.url}/catalog")
        assert gathered[f"{DATA}/dataset/ctx"].content["title"] == {"fr": "Contexte"}
        assert server.hits["/context.jsonld"] == 1

    def test_it_never_lets_rdflib_open_a_context_itself(self, serve, tmp_path):
        # rdflib would read a file: context; harvesters.network refuses anything but http(s).
        local = tmp_path / "context.jsonld"
        local.write_text(json.dumps({"@context": {"title": "http://purl.org/dc/terms/title"}}))
        document = {"@context": local.as_uri(), "@id": f"{DATA}/d", "@type": DCAT_DATASET, "title": "secret"}
        server = serve({"/catalog": Reply(json.dumps(document), content_type="application/ld+json")})
        with pytest.raises(SourceFailure):
            gather(f"{server.url}/catalog")


class DatasetRecordTestCase:
    @pytest.fixture
    def catalogue(self, served):
        return gather(served("catalog.ttl"))

    def test_it_reports_malformed_literals_and_still_harvests_the_dataset(self, catalogue):
        marches = catalogue[MARCHES]
        record = marches.content
        assert record["title"] == {"ar": "الصفقات العمومية", "fr": "Marchés publics"}
        assert marches.modified == ""
        assert marches.remote_url == MARCHES  # no landing page: the URI itself
        assert (record["temporal_start"], record["temporal_end"]) == ("", "2022-12-31")
        assert record["contact_email"] == ""
        assert record["licence"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"  # its distribution's
        problems = "\n".join(record["problems"])
        assert "“2023-13-45” (dct:modified)" in problems
        assert "“début 2022” (dcat:startDate)" in problems
        assert "“mailto:pas-une-adresse”" in problems
        assert "no address" in problems
        assert len(record["problems"]) == 4

    def test_it_keeps_distributions_without_format(self, catalogue):
        resources = catalogue[MARCHES].content["resources"]
        assert [(resource["url"], resource["format"]) for resource in resources] == [
            (f"{DATA}/marches/archives.csv", "CSV"),  # guessed from the address
            (f"{DATA}/marches/liste", ""),
        ]

    def test_it_names_blank_nodes_by_identifier_else_by_a_hash_of_title_and_landing_page(self, catalogue):
        roads = catalogue["roads-42"]
        assert roads.guid == "roads-42"
        assert roads.content["name"] == "roads-42"
        [parks] = [item for key, item in catalogue.items() if key.startswith("sha256:")]
        assert parks.remote_url == f"{DATA}/parks"
        assert parks.content["title"] == {"en": "Parks", "fr": "Parcs"}

        graph = Graph().parse(data=fixture("catalog.ttl"), format="turtle")
        [node] = graph.subjects(DCAT_LANDING_PAGE, URIRef(f"{DATA}/parks"))
        assert remote_id_of(graph, node) == parks.remote_id  # a new parse, new blank nodes: the same hash
        graph.add((node, DCT_TITLE, Literal("Jardins", lang="fr")))
        assert remote_id_of(graph, node) != parks.remote_id

    def test_it_reads_years_months_dublin_core_frequencies_and_media_types(self, catalogue):
        record = catalogue["roads-42"].content
        assert record["frequency"] == "MONTHLY"
        assert (record["temporal_start"], record["temporal_end"]) == ("2020-01-01", "2021-06-30")
        assert record["tags"] == ["طرق"]
        [resource] = record["resources"]
        assert (resource["format"], resource["media_type"]) == ("GEOJSON", "application/geo+json")

    def test_it_tolerates_what_profiles_write_differently(self):
        graph = Graph().parse(
            format="turtle",
            data="""
            @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
            @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            <http://example.de/d/1> a dcat:Dataset ;
                dct:title "Haushalt"@de-DE, "Budget"@fr-FR ; dct:description "Beschreibung"@de ;
                dcat:theme <http://dcat-ap.de/def/dcatde/ECON>, "Finances" ;
                dct:license [ dct:title "Licence Ouverte 2.0"@fr ] ;
                dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/BIENNIAL> ;
                dct:spatial "Sfax" ;
                dcat:version "3" ;
                dcat:contactPoint [ vcard:hasEmail [ vcard:value "contact@example.de" ] ] ;
                dct:modified "2024-05-06" ;
                dcat:distribution [ dcat:accessURL <http://example.de/d/1.ttl> ;
                    dct:format [ rdfs:label "text/turtle" ] ],
                  [ dcat:downloadURL "http://example.de/d/1.rdf" ;
                    dct:format <http://publications.europa.eu/resource/authority/file-type/RDF_XML> ],
                  [ dcat:downloadURL <http://example.de/d/1.zip> ;
                    dcat:mediaType <http://purl.org/NET/mediatypes/application/zip> ] .
            <http://dcat-ap.de/def/dcatde/ECON> skos:exactMatch
                <http://publications.europa.eu/resource/authority/data-theme/ECON> .
            """,
        )
        record = dataset_to_record(graph, URIRef("http://example.de/d/1"))
        assert record.title == {"fr": "Budget", "": "Haushalt"}  # another language stands in for the untagged
        assert record.notes == {"": "Beschreibung"}
        assert record.themes == ["ECON", "Finances"]
        assert record.licence == "Licence Ouverte 2.0"
        assert record.frequency == "http://publications.europa.eu/resource/authority/frequency/BIENNIAL"
        assert (record.spatial, record.version, record.contact_email) == ("Sfax", "3", "contact@example.de")
        assert [(resource.url, resource.format) for resource in record.resources] == [
            ("http://example.de/d/1.rdf", "RDF"),
            ("http://example.de/d/1.ttl", "TTL"),
            ("http://example.de/d/1.zip", "ZIP"),
        ]
        assert record.problems == []

    def test_its_frequencies_are_the_portals(self):
        assert set(FREQUENCIES.values()) <= set(Dataset.Frequency.values)


def paged(pages: dict[str, bytes]):
    """An app serving `/paged?page=N` from `pages` (N → body)."""

    def app(request):
        body = pages.get(request.param("page", "1"))
        return Reply(body, content_type="text/turtle") if body else Reply(b"", status=404)

    return app


class NamedOnlyDatasetTestCase:
    """A catalogue may only name its datasets (`dcat:dataset <uri>`): each is then read from its own URI."""

    CATALOGUE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
        <catalog> a dcat:Catalog ; dcat:dataset <datasets/water>, <datasets/gone> ."""
    WATER = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <water> a dcat:Dataset ; dct:title "Eau potable"@fr ; dct:modified "2024-13-01" ."""

    def test_it_fetches_the_description_from_the_datasets_uri(self, serve):
        server = serve(
            {
                "/catalog": Reply(self.CATALOGUE, content_type="text/turtle"),
                "/datasets/water": Reply(self.WATER, content_type="text/turtle"),
            }
        )
        source = source_at(f"{server.url}/catalog")
        gathered = gather(source.url)
        water = gathered[f"{server.url}/datasets/water"]
        assert water.content is None and water.remote_url == water.guid
        record = KIND.fetch(source, water)
        assert record["title"] == {"fr": "Eau potable"}
        assert record["problems"] == [
            "The date “2024-13-01” (dct:modified) of dataset “Eau potable” is not a date: left out."
        ]
        with pytest.raises(ObjectFailure):  # the 404, in harvesters.network's words
            KIND.fetch(source, gathered[f"{server.url}/datasets/gone"])

    def test_it_fails_the_object_when_its_uri_does_not_describe_it(self, serve):
        server = serve({"/datasets/water": Reply(self.CATALOGUE, content_type="text/turtle")})
        url = f"{server.url}/datasets/water"
        with pytest.raises(ObjectFailure, match="does not describe the dataset"):
            KIND.fetch(source_at(url), Gathered(remote_id=url, guid=url))


class HydraPagingTestCase:
    def test_it_follows_next_pages_in_both_hydra_styles_and_stops_where_they_loop(self, serve):
        server = serve(paged({str(number): fixture(f"page-{number}.ttl") for number in (1, 2, 3)}))
        gathered = gather(f"{server.url}/paged?page=1")
        assert sorted(gathered) == [f"{DATA}/dataset/p{number}" for number in range(1, 6)]
        assert server.hits["/paged"] == 3

    def test_it_fails_past_the_page_cap_rather_than_harvest_part_of_the_catalogue(self, serve):
        def endless(request):
            number = int(request.param("page", "1"))
            body = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
                <http://d/{number}> a dcat:Dataset . <paged?page={number}> hydra:next <paged?page={number + 1}> ."""
            return Reply(body, content_type="text/turtle")

        server = serve(endless)
        assert "more than 4 pages" in failure(f"{server.url}/paged", max_pages=4)
        assert server.hits["/paged"] == 4

    @pytest.mark.parametrize("max_pages", [0, "3", True, -1])
    def test_it_refuses_a_page_cap_that_is_not_a_positive_number(self, max_pages):
        with pytest.raises(ValidationError):
            KIND.check(source_at("http://example.org/catalog.ttl", max_pages=max_pages))
        KIND.check(source_at("http://example.org/catalog.ttl", max_pages=3))

    def test_it_needs_an_address(self):
        with pytest.raises(ValidationError):
            KIND.check(source_at(""))


class BadCatalogueTestCase:
    def test_it_fails_on_a_catalogue_without_dataset(self, served):
        url = served("no-dataset.ttl")
        assert failure(url) == f"The catalogue at {url} describes no dataset."

    def test_it_says_the_syntax_and_line_of_a_malformed_file(self, served):
        url = served("malformed.ttl")
        message = failure(url)
        assert message.startswith(f"The catalogue at {url} could not be read as Turtle: line 6:")

    @pytest.mark.parametrize(
        ("body", "content_type", "expected"),
        [
            (b'{"@graph": [\n{"@id": "x",}\n]}', "application/ld+json", "as JSON-LD: line 2:"),
            (
                b"<?xml version='1.0'?>\n<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<a></b>",
                "application/rdf+xml",
                "as RDF/XML: line 3:",
            ),
            (b"", "text/turtle", "describes no dataset"),
        ],
    )
    def test_it_fails_on_content_that_does_not_parse(self, serve, body, content_type, expected):
        server = serve({"/catalog": Reply(body, content_type=content_type)})
        assert expected in failure(f"{server.url}/catalog")

    def test_it_fails_on_a_web_page(self, serve):
        server = serve(
            {"/catalog": Reply(b"<!DOCTYPE html><html><body>Portail</body></html>", content_type="text/plain")}
        )
        assert "a web page, not a DCAT catalogue" in failure(f"{server.url}/catalog")

    @pytest.mark.parametrize("name", ["xxe.rdf", "billion-laughs.rdf"])
    def test_it_refuses_xml_with_entities_before_parsing_it(self, served, name):
        url = served(name)
        message = failure(url)
        assert message.startswith(f"The catalogue at {url} is not read: ")
        assert "RDF/XML" not in message  # refused before rdflib's parser saw it
        assert "root:" not in message
        assert "lollol" not in message

    def test_it_stops_on_a_page_that_fails_half_way(self, serve):
        pages = {"1": fixture("page-1.ttl"), "2": b"@prefix broken"}
        server = serve(paged(pages))
        with pytest.raises(SourceFailure):
            list(itertools.islice(KIND.gather(source_at(f"{server.url}/paged"), ""), 10))


@pytest.fixture
def portal_datasets(commune):
    """Three published datasets of this very portal (one a draft, which its catalogue leaves out)."""
    commune.email = "data@commune.example"
    commune.save()
    budget = DatasetFactory(
        name="budget-2025",
        body=commune,
        title_ar="ميزانية البلدية 2025",
        title_fr="Budget de la commune 2025",
        notes_ar="الميزانية المفصلة",
        notes_fr="Le budget détaillé",
        themes=["economy"],
        tags=["budget", "ميزانية"],
        version="1.2",
        temporal_start=datetime.date(2025, 1, 1),
        temporal_end=datetime.date(2025, 12, 31),
    )
    ResourceFactory(dataset=budget, url="https://files.example.org/budget.pdf", format="pdf", name_fr="Le budget")
    others = [DatasetFactory(body=commune, frequency=Dataset.Frequency.MONTHLY) for _number in range(2)]
    DatasetFactory(body=commune, status=Dataset.Status.DRAFT)
    return [budget, *others]


class OwnPortalCatalogueTestCase:
    """National portals and neighbouring instances speak our DCAT (opendata.dcat): it must harvest back."""

    @pytest.mark.parametrize("format", ["ttl", "rdf", "jsonld"])
    def test_it_harvests_this_portals_paged_catalogue(
        self, client, serve, portal_datasets, no_page_cache, monkeypatch, format
    ):
        monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
        pages: dict[str, bytes] = {}
        server = serve(
            lambda request: (
                Reply(status=303, headers={"Location": f"/catalog.{format}"})
                if request.path == "/catalog"
                else Reply(pages[request.param("page", "1")], content_type=CONTENT_TYPES[format])
            )
        )
        host = server.url.removeprefix("http://")
        for number in ("1", "2"):
            response = client.get(f"/catalog.{format}", {"page": number}, HTTP_HOST=host)
            assert response.status_code == 200
            pages[number] = response.content

        gathered = gather(f"{server.url}/catalog")
        assert server.hits[f"/catalog.{format}"] == 2
        names = sorted(dataset.name for dataset in portal_datasets)
        assert sorted(item.content["name"] for item in gathered.values()) == names
        budget = gathered[f"{server.url}/catalog/datasets/budget-2025"]
        assert budget.remote_url.startswith(f"{server.url}/") and "budget-2025" in budget.remote_url
        assert budget.modified.startswith(portal_datasets[0].modified_at.date().isoformat())
        record = budget.content
        assert record["title"] == {"ar": "ميزانية البلدية 2025", "fr": "Budget de la commune 2025"}
        assert record["notes"] == {"ar": "الميزانية المفصلة", "fr": "Le budget détaillé"}
        assert (record["themes"], record["tags"]) == (["ECON"], ["budget", "ميزانية"])
        assert record["licence"] == "https://creativecommons.org/licenses/by/4.0/"
        assert (record["frequency"], record["version"]) == ("ANNUAL", "1.2")
        assert (record["temporal_start"], record["temporal_end"]) == ("2025-01-01", "2025-12-31")
        assert record["spatial"] == "بلدية الاختبار"  # the body's territory, in the site's language
        assert record["contact_email"] == "data@commune.example"
        [resource] = record["resources"]
        assert (resource["url"], resource["format"], resource["media_type"]) == (
            "https://files.example.org/budget.pdf",
            "PDF",
            "application/pdf",
        )
        assert resource["name"]["fr"] == "Le budget"
        assert record["problems"] == []


@pytest.mark.django_db
class HarvestRunTestCase:
    """The kind through the runner, into the portal's datasets (opendata.importing)."""

    @pytest.fixture
    def catalogue(self, serve):
        """A server whose /catalog.ttl is `catalogue.body`, which a test may change between runs."""
        routes = {"/catalog.ttl": Reply(fixture("catalog.ttl"), content_type="text/turtle")}
        server = serve(routes)
        server.routes = routes
        return server

    def source(self, server, body, **fields) -> HarvestSource:
        return HarvestSource.objects.create(
            slug="voisins",
            name="Voisins",
            kind="dcat",
            url=f"{server.url}/catalog.ttl",
            body=body,
            target="datasets",
            **fields,
        )

    def test_it_imports_the_catalogue_and_a_second_run_writes_nothing(self, catalogue, commune):
        source = self.source(catalogue, commune)
        job = run_harvest(source)
        assert (job.status, job.gathered, job.created, job.updated) == ("finished", 4, 4, 0), job.message
        # A malformed date is left out and said, but the dataset was imported: a warning, not a failure.
        assert job.failed == 0
        assert job.warnings == job.errors.filter(is_warning=True).count() > 0
        datasets = Dataset.objects.filter(body=commune)
        assert datasets.count() == 4
        budget = datasets.get(title_fr="Budget de la commune 2023")
        assert budget.status == Dataset.Status.PUBLISHED
        assert (budget.title_ar, budget.title_en) == ("ميزانية البلدية 2023", "Town budget 2023")
        assert budget.licence.slug == "cc-by-4.0"
        assert sorted(theme.code for theme in budget.themes.all()) == ["ECON", "GOVE"]
        assert budget.frequency == Dataset.Frequency.ANNUAL
        assert (str(budget.temporal_start), str(budget.temporal_end)) == ("2023-01-01", "2023-12-31")
        assert budget.contact_email == "finances@data.example.org"
        assert sorted(resource.url for resource in budget.resources.all()) == [
            f"{DATA}/files/budget-2023-tableur",
            f"{DATA}/files/budget-2023.csv",
        ]
        marches = datasets.get(title_fr="Marchés publics")
        assert marches.temporal_start is None and str(marches.temporal_end) == "2022-12-31"
        messages = [error.message for error in job.errors.all()]
        assert any("2023-13-45" in message for message in messages)  # reported, the dataset imported all the same
        obj = source.harvested_objects.get(remote_id=BUDGET)
        assert (obj.record, obj.remote_url, obj.remote_modified) == (
            budget,
            f"{DATA}/pages/budget-2023",
            "2024-03-01T10:00:00+00:00",
        )
        modified = dict(datasets.values_list("pk", "modified_at"))

        second = run_harvest(source)
        assert (second.status, second.created, second.updated, second.unchanged) == ("finished", 0, 0, 4)
        assert dict(datasets.values_list("pk", "modified_at")) == modified

    def test_it_imports_drafts_when_the_source_asks_for_review(self, catalogue, commune):
        job = run_harvest(self.source(catalogue, commune, publish=False))
        assert job.created == 4
        assert set(Dataset.objects.filter(body=commune).values_list("status", flat=True)) == {Dataset.Status.DRAFT}

    def test_it_updates_a_changed_dataset_and_withdraws_one_gone_from_the_catalogue(self, catalogue, commune):
        source = self.source(catalogue, commune, withdraw_after=1)
        run_harvest(source)
        changed = fixture("catalog.ttl").replace(b"Town budget 2023", b"Budget of the town, 2023")
        graph = Graph().parse(data=changed, format="turtle")
        graph.remove((URIRef(MARCHES), None, None))
        graph.remove((None, None, URIRef(MARCHES)))
        catalogue.routes["/catalog.ttl"] = Reply(graph.serialize(format="turtle"), content_type="text/turtle")

        job = run_harvest(source)
        assert (job.status, job.updated, job.withdrawn) == ("finished", 1, 1), job.message
        assert Dataset.objects.get(title_fr="Budget de la commune 2023").title_en == "Budget of the town, 2023"
        assert Dataset.objects.get(title_fr="Marchés publics").status == Dataset.Status.WITHDRAWN  # not deleted

    def test_a_catalogue_without_dataset_fails_the_job_and_touches_nothing(self, catalogue, commune):
        source = self.source(catalogue, commune, withdraw_after=1)
        run_harvest(source)
        catalogue.routes["/catalog.ttl"] = Reply(fixture("no-dataset.ttl"), content_type="text/turtle")
        with translation.override("en"):
            job = run_harvest(source)
        assert job.status == "failed"
        assert "describes no dataset" in job.message
        assert Dataset.objects.filter(body=commune, status=Dataset.Status.PUBLISHED).count() == 4
